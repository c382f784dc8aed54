import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, type NativeConnectionOptions, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { accountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { auditLogOf } from '../../src/audit/store';
import { settings, type Settings } from '../../src/config';
import type { TaskInput } from '../../src/contracts/dutyTask';
import { feedTokens } from '../../src/feeds/tokens';
import { householdState, revisitState } from '../../src/households/client';
import { OrgTree } from '../../src/roster/orgTree';
import type { ServiceContext } from '../../src/services/context';
import { importHouseholds } from '../../src/services/households';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { shanghaiDate } from '../../src/shared/zone';
import { emergencyStoreOf, evidenceStoreOf } from '../../src/store/records';
import { listTasks, type TaskFilter } from '../../src/tasks/query';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { keyIdOf } from '../../src/temporal/payloadKeys';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { createDutyWorker } from '../../worker';
import { eventually } from '../support/cli';
import { RecordingChannel } from '../support/recordingChannel';

/**
 * What the migration tests share: tests/migrate/migrate.test.ts moves one dev server into another,
 * tests/cluster/migrate.test.ts moves one into the test cluster. Both start from an embedded installation as
 * `npm start` runs it (a dev server, the engine's worker in this process, its own data folder and payload key), seed
 * it the same way and read each side back the same way.
 */

/** The duty of the hand-made tasks below: its own, so their ids never meet a catalog duty's. */
export const CHECK_DUTY = 'migrate-check';
/** The catalog the source installation runs (and the target's `duty apply` after the move). */
export const CATALOG_DIR = settings().catalogDir;

export async function loadTree(): Promise<OrgTree> {
  return new OrgTree((await loadCatalog(CATALOG_DIR)).roster);
}

/** The engine's runtime logging goes first (before any native connection); the workflows are bundled once per file. */
export function bundleEngine(): Promise<WorkflowBundle> {
  installRuntimeLogging(pino({ level: 'warn' }));
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
}

export function keyConverter(key: Buffer): DataConverter {
  return dutyDataConverter({ current: { id: keyIdOf(key), key }, all: new Map([[keyIdOf(key), key]]), source: 'test' });
}

export interface EngineWorker {
  outbox: RecordingChannel;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  connection: NativeConnectionOptions;
  client: Client;
  dataConverter: DataConverter;
  taskQueue: string;
  dataDir: string;
  bundle: WorkflowBundle;
  /** The stores in PostgreSQL (send ledger, deliveries) as a cluster's workers keep them; files otherwise. */
  databaseUrl?: string;
}

/** The engine's worker in this process, as worker.ts builds it, sending into a recording outbox at any hour. */
export async function startEngineWorker(o: WorkerOptions): Promise<EngineWorker> {
  const native = await NativeConnection.connect(o.connection);
  const outbox = new RecordingChannel();
  const worker = await createDutyWorker({
    connection: native,
    client: o.client,
    namespace: o.client.options.namespace,
    settings: installationSettings(o),
    logger: pino({ level: 'silent' }),
    workflowBundle: o.bundle,
    channels: { outbox },
    dataConverter: o.dataConverter,
  });
  const running = worker.run();
  return {
    outbox,
    stop: async () => {
      worker.shutdown();
      await running;
      await native.close();
    },
  };
}

/** Never the shell's database or data folder: each side's stores are its own. */
function installationSettings(o: Pick<WorkerOptions, 'taskQueue' | 'dataDir' | 'databaseUrl'>): Settings {
  return { ...settings(), catalogDir: CATALOG_DIR, taskQueue: o.taskQueue, quietHours: false, dataDir: o.dataDir, databaseUrl: o.databaseUrl };
}

/** An embedded installation: a dev server with its SQLite file, and the engine's worker. */
export interface Installation {
  server: DevServer;
  client: Client;
  key: Buffer;
  taskQueue: string;
  dataDir: string;
  outbox: RecordingChannel;
  stop(): Promise<void>;
}

export async function embeddedInstallation(dataDir: string, key: Buffer, bundle: WorkflowBundle): Promise<Installation> {
  const server = await startDevServer({ headless: true, dbFile: path.join(dataDir, 'temporal.db') });
  const connection = await Connection.connect({ address: server.address });
  const dataConverter = keyConverter(key);
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const taskQueue = `migrate-${path.basename(dataDir)}-${Date.now()}`;
  const engine = await startEngineWorker({ connection: { address: server.address }, client, dataConverter, taskQueue, dataDir, bundle });
  return {
    server,
    client,
    key,
    taskQueue,
    dataDir,
    outbox: engine.outbox,
    stop: async () => {
      await engine.stop();
      await connection.close();
      await server.stop();
    },
  };
}

export function serviceContext(s: { client: Client; taskQueue: string; dataDir: string; databaseUrl?: string }, tree: OrgTree): ServiceContext {
  return {
    settings: installationSettings(s),
    catalog: () => loadCatalog(CATALOG_DIR),
    tree: async () => tree,
    duty: async (id) => {
      const duty = (await loadCatalog(CATALOG_DIR)).duties.find((d) => d.id === id);
      if (!duty) throw new Error(`no duty ${id} in ${CATALOG_DIR}`);
      return duty;
    },
    temporal: async () => s.client,
  };
}

/** A task of CHECK_DUTY (or `dutyId`) whose instants are seconds apart, so one test sees reminders on both sides of the move. */
export function checkTask(tree: OrgTree, unitId: string, due: number, reminders: number[], dutyId = CHECK_DUTY): TaskInput {
  const person = tree.peopleOf(unitId, 'liaison')[0];
  if (!person) throw new Error(`no liaison in ${unitId}`);
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = iso(due).slice(0, 10);
  return {
    taskId: `task:${dutyId}:2026-12:${unitId}`,
    duty: {
      id: dutyId,
      title: '迁移检查',
      completion: { note: 'optional', fields: [] },
      escalation: { levels: [{ afterWorkingDays: 1 }], repeatEveryWorkingDays: 0 },
      sendAt: '09:00',
      urgent: false,
    },
    occurrence: {
      dutyId,
      period: '2026-12',
      periodStart: day,
      periodEnd: day,
      opensOn: day,
      opensAt: iso(Date.now()),
      nominalDueOn: day,
      dueOn: day,
      dueAt: iso(due),
      reminders: reminders.map(iso),
      provisional: false,
    },
    assignee: { personId: person.id, unitId },
    unitName: tree.unit(unitId).name,
    unitPath: [unitId],
    completers: [person.id],
    admins: [],
  };
}

/** Three departments, each with a liaison to hold a check task. */
export function departments(tree: OrgTree): [string, string, string] {
  const [a, b, c] = tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' }).map((x) => x.unitId);
  if (!a || !b || !c) throw new Error('the roster has fewer than three departments');
  return [a, b, c];
}

export async function taskSummary(client: Client, filter: TaskFilter = { dutyId: CHECK_DUTY }) {
  return (await listTasks(client, filter)).map((t) => ({ id: t.taskId, status: t.status, level: t.escalationLevel, dueOn: t.dueOn })).sort((a, b) => a.id.localeCompare(b.id));
}

export function sentTo(outbox: RecordingChannel, notificationId: string) {
  return outbox.sent.filter((m) => m.notificationId === notificationId);
}

/**
 * One household of v-hongxing whose risk was cleared `daysAgo` days ago, imported as an operator would: its 回头看
 * programme opens the first round's task on that day's working hours (at once when they are past). Returns the
 * programme's id once it has planned all four rounds.
 */
export async function importClearedHousehold(s: Installation, tree: OrgTree, householdId: string, daysAgo = 0): Promise<string> {
  const cleared = shanghaiDate(Date.now() - daysAgo * 86_400_000);
  const csv = path.join(s.dataDir, `${householdId}.csv`);
  writeFileSync(csv, `户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期\n${householdId},测试户主甲,430981199001011237,v-hongxing,边缘易致贫户,因病,2025-03-01,${cleared}\n`);
  // The import path refuses to write personal data unencrypted: the installation's key, as `npm start` would have it.
  const before = process.env.DUTY_PAYLOAD_KEY;
  process.env.DUTY_PAYLOAD_KEY = s.key.toString('base64');
  try {
    await importHouseholds(serviceContext(s, tree), { id: 'cli:test', via: 'cli' }, csv, { by: 'test' });
  } finally {
    if (before === undefined) delete process.env.DUTY_PAYLOAD_KEY;
    else process.env.DUTY_PAYLOAD_KEY = before;
  }
  const household = await eventually(() => householdState(s.client, householdId), (h) => h.episodes.some((e) => e.kind === 'revisit'));
  const programmeId = household.episodes.find((e) => e.kind === 'revisit')?.workflowId ?? '';
  await eventually(() => revisitState(s.client, programmeId), (p) => p.revisits.length === 4);
  return programmeId;
}

/** A file-backed installation's own records, one or more of each kind, written through the stores themselves. */
export async function seedStores(dataDir: string, personId: string) {
  const files = { kind: 'files', dataDir } as const;
  const accounts = accountStore(files, 4);
  await accounts.setPassword(personId, 'correct-horse-9');
  const { token } = await accounts.createToken(personId, 'ci');
  const revoked = await accounts.createToken(personId, 'old');
  await accounts.revokeToken(revoked.id);
  const sid = await sessionStore(files).create(personId);
  const feed = await feedTokens(files).create(personId);
  const emergencies = emergencyStoreOf(files);
  const emergencyId = await emergencies.nextId('2026-12-01');
  await emergencies.add({ id: emergencyId, kind: 'suspend', units: ['t-sijihong'], reason: '防汛', by: personId, at: new Date().toISOString(), from: '2026-12-01', to: '2026-12-02', tasks: [] });
  await emergencies.markLifted(emergencyId, new Date().toISOString());
  const staging = await evidenceStoreOf(files).stage([Buffer.from('a photo of the minutes')]);
  await staging.commit();
  // Two entries alike to the millisecond: both must arrive, once each.
  const audit = auditLogOf(files);
  const at = new Date();
  for (let i = 0; i < 2; i += 1) await audit.record({ actor: personId, via: 'http', action: 'task.progress', target: 'task:x', unitId: 'v-hongxing', detail: { z: 1, a: [2] } }, at);
  return { token, sid, feed, emergencyId, evidence: staging.blobs[0]?.sha256 ?? '' };
}
