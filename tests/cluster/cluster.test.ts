import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { clusterDown, clusterUp } from '../../scripts/cluster/cluster';
import { DUTY_PROCESSES } from '../../scripts/cluster/layout';
import { clusterStatus, statusExitCode } from '../../scripts/cluster/status';
import { ensureNamespace } from '../../scripts/cluster/namespace';
import { SA } from '../../src/shared/searchAttributes';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { prepareNamespace } from '../../src/temporal/namespaceReady';
import { closeStoreBackends } from '../../src/store/backend';
import { clusterKit, type ClusterKit } from './support/shared';

/** The real thing: PostgreSQL, four Temporal processes, two workers and two HTTP replicas (tests/cluster/support/globalSetup.ts). */
describe('npm run cluster', () => {
  let kit: ClusterKit;
  let env: Record<string, string>;
  const lines: string[] = [];

  beforeAll(async () => {
    kit = await clusterKit();
    env = kit.env;
  });

  afterAll(async () => {
    await kit?.close();
    await closeStoreBackends();
  });

  test('a client without a certificate is refused', async () => {
    const withoutCert = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TEMPORAL_TLS_CLIENT_')));
    const noCert = toConnectionOptions(loadConnectionConfig({ env: withoutCert }));
    expect(noCert.tls).toBeTruthy();
    await expect(Connection.connect({ ...noCert, connectTimeout: 3_000 })).rejects.toThrow();
    await expect(Connection.connect({ address: env.TEMPORAL_ADDRESS!, connectTimeout: 3_000 })).rejects.toThrow();
    // The SDK only says it timed out; the handshake itself shows why: the server demands a certificate.
    await expect(handshakeWithoutCert(env)).resolves.toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  test('a client with the certificate lists workflows, and `down` then `up` keeps them, every schedule and the engine', async () => {
    const id = `cluster-test-${Date.now()}`;
    const schedules = async () => {
      const ids: string[] = [];
      for await (const s of kit.client.schedule.list()) ids.push(s.scheduleId);
      return ids.sort();
    };
    const before = await schedules();
    // `up` applied the catalog: one schedule per scheduled duty.
    expect(before.length).toBeGreaterThan(0);
    // No worker polls this queue: the workflow stays open, as a task waiting for its deadline does.
    await kit.client.workflow.start('nothingRunsThis', { taskQueue: 'cluster-test', workflowId: id });
    expect(await listIds(kit.client, id)).toContain(id);

    await clusterDown(kit.opts);
    expect((await clusterStatus(kit.opts)).filter((row) => row.healthy)).toEqual([]);
    // `up --no-engine` (a cluster to migrate into): no catalog applied, no engine process; `status` says so, not a fault.
    await clusterUp({ ...kit.opts, engine: false, log: (line) => lines.push(line) });
    expect(lines).toContain('命名空间 default: 已存在,可用');
    expect(lines.some((line) => line.startsWith('职责目录已应用'))).toBe(false);
    const engineOff = await clusterStatus(kit.opts);
    expect(engineOff.filter((row) => row.leftOff).map((row) => row.name)).toEqual([...DUTY_PROCESSES]);
    expect(engineOff.filter((row) => !row.leftOff).every((row) => row.healthy)).toBe(true);
    expect(statusExitCode(engineOff)).toBe(0);
    await clusterUp({ ...kit.opts, log: (line) => lines.push(line) });
    expect(lines.some((line) => line.includes('新建 0,更新 0,删除 0'))).toBe(true);

    expect((await kit.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
    expect(await listIds(kit.client, id)).toContain(id);
    expect(await schedules()).toEqual(before);
    expect((await clusterStatus(kit.opts)).every((row) => row.healthy)).toBe(true);
  }, 400_000);

  test('a schedule on a namespace made a moment ago waits for it instead of failing', async () => {
    const namespace = `fresh-${Date.now()}`;
    await withClient(env, async (client) => {
      const connection = client.connection as Connection;
      expect(await ensureNamespace(connection, namespace)).toBe(true);
      // Straight after this, a schedule naming DutyId failed with "Failed to create schedule" (no mapping yet).
      await prepareNamespace(connection, namespace);
      const scheduleClient = new Client({ connection, namespace }).schedule;
      await scheduleClient.create({
        scheduleId: 'probe',
        spec: { intervals: [{ every: '1 day' }] },
        action: { type: 'startWorkflow', workflowType: 'nothingRunsThis', taskQueue: 'cluster-test' },
        typedSearchAttributes: [{ key: SA.dutyId, value: 'probe' }],
      });
    });
  });

  test('status names every process, its port and its health', async () => {
    const rows = await clusterStatus(kit.opts);
    expect(rows.map((r) => [r.name, r.port, r.healthy])).toEqual([
      ['postgres', 25432, true],
      ['history', 27234, true],
      ['matching', 27235, true],
      ['worker', 27239, true],
      ['frontend', 27233, true],
      ['duty-worker-a', undefined, true],
      ['duty-worker-b', undefined, true],
      ['http-a', 28080, true],
      ['http-b', 28081, true],
    ]);
    expect(rows.every((r) => r.pid !== undefined)).toBe(true);
    expect(rows.find((r) => r.name === 'duty-worker-a')?.detail).toContain('轮询任务队列 duty-engine');
    // A second `up` finds everything running and starts nothing.
    const again: string[] = [];
    await clusterUp({ ...kit.opts, log: (line) => again.push(line) });
    expect(again.filter((line) => line.includes('已启动'))).toEqual([]);
    // An engine that has run cannot be declared never started.
    await expect(clusterUp({ ...kit.opts, engine: false })).rejects.toThrow('引擎进程已在运行');
  }, 120_000);
});

/** A TLS 1.3 client learns of a refused (absent) certificate on its first read after the handshake. */
function handshakeWithoutCert(env: Record<string, string>): Promise<string | undefined> {
  const [host, port] = env.TEMPORAL_ADDRESS!.split(':');
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(port), servername: env.TEMPORAL_TLS_SERVER_NAME, ca: readFileSync(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH!), ALPNProtocols: ['h2'] });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    socket.once('close', () => resolve(undefined));
  });
}

async function withClient(env: Record<string, string>, use: (client: Client) => Promise<void>): Promise<void> {
  const config = loadConnectionConfig({ env });
  const connection = await Connection.connect(toConnectionOptions(config));
  try {
    await use(new Client({ connection, namespace: config.namespace }));
  } finally {
    await connection.close();
  }
}

/** Visibility is written after the start returns; a listing catches up within a second or two. */
async function listIds(client: Client, wanted: string): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const ids: string[] = [];
    for await (const w of client.workflow.list({ pageSize: 100 })) ids.push(w.workflowId);
    if (ids.includes(wanted) || attempt >= 20) return ids;
    await new Promise((r) => setTimeout(r, 250));
  }
}
