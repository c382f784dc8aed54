import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { clusterDown, clusterUp, type ClusterOptions } from '../../scripts/cluster/cluster';
import { clusterStatus } from '../../scripts/cluster/status';
import { serverIsCached } from '../../scripts/cluster/serverBinary';
import { ensureNamespace } from '../../scripts/cluster/namespace';
import { SA } from '../../src/shared/searchAttributes';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { prepareNamespace } from '../../src/temporal/namespaceReady';

/**
 * The real thing: PostgreSQL and four Temporal processes. Skipped until the server is built (`npm run cluster -- up`
 * builds it once, about six minutes), so `npm test` stays fast on a fresh checkout; never installs PostgreSQL here.
 */
const pgInstalled = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const describeBuilt = (serverIsCached() || process.env.TEMPORAL_SERVER_PATH) && pgInstalled ? describe : describe.skip;

// Beside, not on, a cluster `npm run cluster` may have running (offset 10 000).
const PORT_OFFSET = 20_000;
const UP_TIMEOUT_MS = 240_000;

describeBuilt('npm run cluster', () => {
  let opts: ClusterOptions;
  let env: Record<string, string>;
  const lines: string[] = [];

  beforeAll(async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'duty-cluster-'));
    // PostgreSQL runs as its own system user when we are root; it must be able to reach its data directory.
    await fs.chmod(root, 0o755);
    opts = { root, portOffset: PORT_OFFSET, log: (line) => lines.push(line) };
    env = await clusterUp(opts);
  }, UP_TIMEOUT_MS);

  afterAll(async () => {
    if (!opts) return;
    await clusterDown(opts);
    await fs.rm(opts.root, { recursive: true, force: true });
  }, 60_000);

  test('a client without a certificate is refused', async () => {
    const withoutCert = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TEMPORAL_TLS_CLIENT_')));
    const noCert = toConnectionOptions(loadConnectionConfig({ env: withoutCert }));
    expect(noCert.tls).toBeTruthy();
    await expect(Connection.connect({ ...noCert, connectTimeout: 3_000 })).rejects.toThrow();
    await expect(Connection.connect({ address: env.TEMPORAL_ADDRESS!, connectTimeout: 3_000 })).rejects.toThrow();
    // The SDK only says it timed out; the handshake itself shows why: the server demands a certificate.
    await expect(handshakeWithoutCert(env)).resolves.toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  test('a client with the certificate lists workflows, and `down` then `up` keeps them', async () => {
    const id = `cluster-test-${Date.now()}`;
    await withClient(env, async (client) => {
      // No worker polls this queue: the workflow stays open, as a task waiting for its deadline does.
      await client.workflow.start('nothingRunsThis', { taskQueue: 'cluster-test', workflowId: id });
      expect(await listIds(client)).toContain(id);
    });

    await clusterDown(opts);
    expect((await clusterStatus(opts)).filter((row) => row.healthy)).toEqual([]);
    await clusterUp(opts);
    expect(lines).toContain('命名空间 default: 已存在,可用');

    await withClient(env, async (client) => {
      expect((await client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      expect(await listIds(client)).toContain(id);
    });
  }, UP_TIMEOUT_MS);

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
    const rows = await clusterStatus(opts);
    expect(rows.map((r) => [r.name, r.port, r.healthy])).toEqual([
      ['postgres', 25432, true],
      ['history', 27234, true],
      ['matching', 27235, true],
      ['worker', 27239, true],
      ['frontend', 27233, true],
    ]);
    expect(rows.every((r) => r.pid !== undefined)).toBe(true);
  });
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
async function listIds(client: Client): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const ids: string[] = [];
    for await (const w of client.workflow.list({ pageSize: 100 })) ids.push(w.workflowId);
    if (ids.length > 0 || attempt >= 20) return ids;
    await new Promise((r) => setTimeout(r, 250));
  }
}
