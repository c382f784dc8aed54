import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import pg from 'pg';
import { envFileText } from '../../scripts/cluster/envFile';
import { clusterLayout, type ClusterLayout } from '../../scripts/cluster/layout';
import { ensureNamespace } from '../../scripts/cluster/namespace';
import { pgPassword } from '../../scripts/cluster/postgres';
import { DATABASE_USER } from '../../scripts/cluster/serverConfig';
import { accountStore } from '../../src/auth/accounts';
import { auditLogOf } from '../../src/audit/store';
import { completeTaskUpdate, taskStateQuery } from '../../src/contracts/dutyTask';
import { CYCLE_WORKFLOW_TYPE, SCHEDULE_PREFIX } from '../../src/contracts/dutyCycle';
import { listHouseholds, revisitState } from '../../src/households/client';
import type { OutgoingMessage } from '../../src/notify/channel';
import { overdueReport } from '../../src/report/overdue';
import type { OrgTree } from '../../src/roster/orgTree';
import { applyCatalog, pauseDuty } from '../../src/services/duties';
import { readEnvFile } from '../../src/services/migrateTarget';
import { REVISIT_DUTY_ID } from '../../src/shared/household';
import { closeStoreBackends } from '../../src/store/backend';
import { PgDatabase } from '../../src/store/pg/database';
import { deliveryLogOf } from '../../src/store/records';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { startTask } from '../../src/tasks/start';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { prepareNamespace } from '../../src/temporal/namespaceReady';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { loadPayloadKeys } from '../../src/temporal/payloadKeys';
import { duty, eventually } from '../support/cli';
import { bundleEngine, CATALOG_DIR, checkTask, departments, embeddedInstallation, type EngineWorker, importClearedHousehold, type Installation, loadTree, seedStores, sentTo, serviceContext, startEngineWorker, taskSummary } from '../migrate/support';
import { sharedCluster } from './support/shared';

/**
 * Issue 13's migration test on the real cluster. An embedded installation (a dev server, the engine's worker in this
 * process) with duty schedules (one paused), open, overdue, completed, household and heralded tasks and its own
 * stores is moved with `duty migrate --to-env` into the test cluster: into a namespace of its own, so the cluster's
 * workers (they poll `default`) never touch it, and a database of its own on the cluster's PostgreSQL. No worker runs
 * on the target meanwhile, as after `npm run cluster -- up --no-engine`. Then, as the next plain `up` does, the catalog
 * is applied and a worker starts.
 */
const SOURCE_KEY = Buffer.alloc(32, 7);
/** A duty the source paused on purpose: it must stay paused, with its note, through the move and the apply. */
const PAUSED = { dutyId: 'semiannual-full-sweep', reason: '防汛期间暂缓排查' };
/** The open task's second reminder, after the cut-over: the first reminder the target sends. */
const NEXT_REMINDER_MS = 45_000;
const ACTOR = { id: 'cli:test', via: 'cli' } as const;

interface Target {
  layout: ClusterLayout;
  namespace: string;
  /** The cluster's env file with this namespace and database: what an operator hands `--to-env`. */
  vars: Record<string, string>;
  envFile: string;
  client: Client;
  close(): Promise<void>;
}

const tmp = path.join(os.tmpdir(), `duty-cluster-migrate-${process.pid}`);
let bundle: WorkflowBundle;
let tree: OrgTree;
let source: Installation;
let target: Target;
let engine: EngineWorker | undefined;
let seeded: Awaited<ReturnType<typeof seedSource>>;
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  await fs.mkdir(tmp, { recursive: true });
  const shared = sharedCluster();
  [bundle, tree, target] = await Promise.all([bundleEngine(), loadTree(), freshTarget(clusterLayout(shared.root, shared.portOffset))]);
  source = await embeddedInstallation(path.join(tmp, 'source'), SOURCE_KEY, bundle);
}, 120_000);

afterAll(async () => {
  await engine?.stop();
  await source?.stop();
  await closeStoreBackends();
  await target?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

test('duty migrate --to-env moves the installation into a cluster namespace: tasks, overdue report, households, schedules and stores equal the source’s; a second run creates nothing', async () => {
  seeded = await seedSource();
  before = await settledSnapshot(source.client);
  expect(before.tasks.map((t) => t.status).sort()).toEqual(expect.arrayContaining(['done', 'open', 'overdue']));
  expect(before.tasks.some((t) => t.id.startsWith(`task:${REVISIT_DUTY_ID}:`))).toBe(true);
  expect(before.overdue.total).toBeGreaterThan(0);

  const first = await migrateCli();
  expect(first).toMatchObject({ code: 0, err: '' });
  expect(first.out).not.toContain('不一致');
  expect(first.out).toMatch(/迁移完成:新建 [1-9]\d* 项/);
  // The cut-over came before the next reminder: the source never sent it.
  expect(sentTo(source.outbox, seeded.next)).toHaveLength(0);

  // Visibility catches up with the copies within seconds; a mismatch shows as a diff.
  const same = (s: typeof before) => JSON.stringify(s) === JSON.stringify(before);
  const after = await eventually(() => snapshot(target.client, before.asOf), same, 30_000).catch(() => snapshot(target.client, before.asOf));
  expect(after).toEqual(before);

  // The stores, in the target's database: the account signs in, the audit trail is the source's, in its order.
  const db = await PgDatabase.open(target.vars.DUTY_DATABASE_URL as string);
  try {
    const stores = { kind: 'postgres', db, dataDir: path.join(tmp, 'target-check') } as const;
    expect(await accountStore(stores, 4).verify(seeded.person, 'correct-horse-9')).toBe(true);
    expect(await accountStore(stores, 4).resolveToken(seeded.token)).toBe(seeded.person);
    expect(await auditLogOf(stores).list()).toEqual(await auditLogOf({ kind: 'files', dataDir: source.dataDir }).list());
    expect((await deliveryLogOf(stores).forTask(seeded.heralded)).length).toBeGreaterThan(0);
  } finally {
    await db.close();
  }

  const again = await migrateCli();
  expect(again).toMatchObject({ code: 0, err: '' });
  expect(again.out).toContain('迁移完成:新建 0 项');
}, 180_000);

test('the catalog applied afterwards, as the next plain `up` does, changes nothing: schedules, the pause and its note, tasks', async () => {
  const applied = await withEnv({ ...target.vars, DUTY_DATA_DIR: path.join(tmp, 'target-cli'), DUTY_CATALOG_DIR: CATALOG_DIR }, () => duty('apply'));
  expect(applied).toMatchObject({ code: 0, err: '' });
  expect(applied.out).toMatch(/合计: 新建 0,更新 0,删除 0,无变化 \d+/);
  expect(applied.out).not.toContain('新建计划的当前周期');
  expect(await scheduleStates(target.client)).toEqual(before.schedules);
  expect((await target.client.workflow.count(`WorkflowType = '${CYCLE_WORKFLOW_TYPE}'`)).count).toBe(0);
  expect(await taskSummary(target.client, {})).toEqual(before.tasks);
});

test('a worker on the target sends the next reminder once and nothing the source had sent', async () => {
  const config = loadConnectionConfig({ env: target.vars });
  engine = await startEngineOn(config);
  await eventually(async () => sentTo(engine!.outbox, seeded.next).length, (n) => n >= 1, NEXT_REMINDER_MS + 60_000);
  // Long enough for a duplicate to show: a retried or replayed send comes within a second or two.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(sentTo(engine.outbox, seeded.next)).toHaveLength(1);
  expect(sentTo(source.outbox, seeded.next)).toHaveLength(0);
  const sentBySource = new Set(notices(source.outbox.sent));
  // The open task's first reminder, the overdue notice, the herald's batch at least.
  expect(sentBySource.size).toBeGreaterThanOrEqual(3);
  expect(notices(engine.outbox.sent).filter((id) => sentBySource.has(id))).toEqual([]);
  // The task goes on from where it stood: both reminders in its record, the first from the source.
  const state = await target.client.workflow.getHandle(seeded.open).query(taskStateQuery);
  expect(state.deliveries.map((d) => d.notificationId)).toEqual(expect.arrayContaining([`${seeded.open}/reminder-1`, seeded.next]));
}, 150_000);

/** The notices of the moved tasks a channel was given: a batch message carries several. */
function notices(sent: OutgoingMessage[]): string[] {
  const moved = before.tasks.map((t) => `${t.id}/`);
  return sent.flatMap((m) => [m.notificationId, ...(m.notices ?? [])]).filter((id) => moved.some((prefix) => id.startsWith(prefix)));
}

/**
 * Everything the installation holds: the catalog's schedules (one paused), a household cleared today (its first
 * 回头看 opens at once), a heralded task, an overdue and a completed one, the stores, and last the open task whose
 * first reminder goes out from the source and whose second falls after the move.
 */
async function seedSource() {
  const ctx = serviceContext(source, tree);
  // Schedules only: the periods under way stay closed, so the installation holds just the tasks below.
  await applyCatalog(ctx, ACTOR, undefined, false, undefined, { openUnderWay: false });
  await pauseDuty(ctx, ACTOR, PAUSED.dutyId, PAUSED.reason);
  // Cleared ten days ago: its first 回头看 task is open now, whatever the hour.
  const programmeId = await importClearedHousehold(source, tree, 'H-CLU1', 10);
  await eventually(() => revisitState(source.client, programmeId), (p) => p.revisits[0]?.status === 'open');

  const now = Date.now();
  const [a, b, c] = departments(tree);
  const heralded = checkTask(tree, c, now + 600_000, [now + 1_000], 'migrate-herald');
  await openTaskBatch(source.client, source.taskQueue, [heralded]);
  const overdue = checkTask(tree, b, now - 3 * 86_400_000, []);
  const done = checkTask(tree, c, now + 600_000, []);
  for (const t of [overdue, done]) await startTask(source.client, source.taskQueue, t);
  await source.client.workflow.getHandle(done.taskId).executeUpdate(completeTaskUpdate, { args: [{ by: done.completers[0] ?? '' }] });
  const stores = await seedStores(source.dataDir, heralded.assignee.personId);

  const open = checkTask(tree, a, Date.now() + 600_000, [Date.now() + 1_000, Date.now() + NEXT_REMINDER_MS]);
  await startTask(source.client, source.taskQueue, open);
  await eventually(async () => sentTo(source.outbox, `${open.taskId}/reminder-1`).length, (n) => n === 1);
  await eventually(async () => (await source.client.workflow.getHandle(overdue.taskId).query(taskStateQuery)).deliveries.length, (n) => n > 0);
  await eventually(() => deliveryLogOf({ kind: 'files', dataDir: source.dataDir }).forTask(heralded.taskId), (d) => d.length > 0);
  return { open: open.taskId, next: `${open.taskId}/reminder-2`, heralded: heralded.taskId, person: heralded.assignee.personId, token: stores.token };
}

/** What the two sides must agree on: every task, the overdue report at one instant, the households, the schedules. */
async function snapshot(client: Client, asOf = new Date().toISOString()) {
  const households = (await listHouseholds(client)).map(({ householdId, villageId, status }) => ({ householdId, villageId, status }));
  return { asOf, tasks: await taskSummary(client, {}), overdue: await overdueReport(client, tree, { asOf }), households, schedules: await scheduleStates(client) };
}

/** The source still moving (an overdue task escalating, visibility catching up) would make a false mismatch. */
async function settledSnapshot(client: Client) {
  let last = await snapshot(client);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_500));
    const next = await snapshot(client, last.asOf);
    if (JSON.stringify(next) === JSON.stringify(last)) return last;
    last = next;
  }
}

async function scheduleStates(client: Client) {
  const states: { id: string; paused: boolean; note?: string }[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
    const { state } = await client.schedule.getHandle(s.scheduleId).describe();
    states.push({ id: s.scheduleId, paused: state.paused, note: state.note });
  }
  return states.sort((x, y) => x.id.localeCompare(y.id));
}

/** `duty migrate --to-env <file>` in the operator's shell: TEMPORAL_* point at the embedded server, the data folder is its. */
function migrateCli() {
  const cleared = Object.fromEntries(Object.keys(target.vars).map((k) => [k, undefined]));
  const sourceEnv = { ...cleared, TEMPORAL_ADDRESS: source.server.address, TEMPORAL_NAMESPACE: source.server.namespace, DUTY_DATA_DIR: source.dataDir, DUTY_PAYLOAD_KEY: SOURCE_KEY.toString('base64') };
  return withEnv(sourceEnv, () => duty('migrate', '--to-env', target.envFile));
}

async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(vars);
  try {
    return await work();
  } finally {
    set(saved);
  }
}

/**
 * A namespace of its own (registered as `up` registers `default`) and a database of its own, owned by the engine's
 * role, on the shared cluster; the env file is the cluster's with those two changed.
 */
async function freshTarget(layout: ClusterLayout): Promise<Target> {
  const clusterVars = readEnvFile(layout.envFile);
  const namespace = `migrated-${Date.now()}`;
  const connection = await Connection.connect(toConnectionOptions(loadConnectionConfig({ env: clusterVars })));
  await ensureNamespace(connection, namespace);
  await prepareNamespace(connection, namespace);
  const database = namespace.replaceAll('-', '_');
  const admin = new pg.Client({ host: layout.host, port: layout.ports.postgres, user: DATABASE_USER, password: await pgPassword(layout), database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} OWNER duty`);
  const url = new URL(clusterVars.DUTY_DATABASE_URL as string);
  url.pathname = `/${database}`;
  const vars = { ...clusterVars, TEMPORAL_NAMESPACE: namespace, DUTY_DATABASE_URL: url.toString() } as Record<string, string>;
  const envFile = path.join(tmp, 'target.env');
  await fs.writeFile(envFile, envFileText(vars, envFile), { mode: 0o600 });
  const client = new Client({ connection, namespace, dataConverter: dutyDataConverter(loadPayloadKeys(vars, layout.keyDir)) });
  return {
    layout,
    namespace,
    vars,
    envFile,
    client,
    close: async () => {
      await connection.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The worker the next `up` starts, in this process: the cluster's TLS and payload key, the target's database, task queue `duty-engine`. */
function startEngineOn(config: ReturnType<typeof loadConnectionConfig>): Promise<EngineWorker> {
  return startEngineWorker({
    connection: toConnectionOptions(config),
    client: target.client,
    dataConverter: dutyDataConverter(loadPayloadKeys(target.vars, target.layout.keyDir)),
    taskQueue: 'duty-engine',
    dataDir: path.join(tmp, 'target-worker'),
    bundle,
    databaseUrl: target.vars.DUTY_DATABASE_URL,
  });
}
