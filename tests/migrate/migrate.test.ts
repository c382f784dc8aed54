import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { settings } from '../../src/config';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { keyIdOf } from '../../src/temporal/payloadKeys';
import { completeTaskUpdate, type TaskInput, taskStateQuery } from '../../src/contracts/dutyTask';
import { OrgTree } from '../../src/roster/orgTree';
import { migrate } from '../../src/services/migrate';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { startTask } from '../../src/tasks/start';
import { listTasks, type TaskFilter } from '../../src/tasks/query';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { accountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { auditLogOf } from '../../src/audit/store';
import { feedTokens } from '../../src/feeds/tokens';
import { householdState, listHouseholds, revisitState } from '../../src/households/client';
import type { ServiceContext } from '../../src/services/context';
import { importHouseholds } from '../../src/services/households';
import { shanghaiDate } from '../../src/shared/zone';
import { PgDatabase } from '../../src/store/pg/database';
import { deliveryLogOf, emergencyStoreOf, evidenceStoreOf } from '../../src/store/records';
import { freshDatabase } from '../support/postgres';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { createDutyWorker } from '../../worker';
import { duty, eventually } from '../support/cli';
import { RecordingChannel } from '../support/recordingChannel';

/** One side of the migration: a dev server with the engine's worker, sending into a recording outbox, encrypting with its own key. */
interface Side {
  server: DevServer;
  client: Client;
  connection: Connection;
  native: NativeConnection;
  worker: Worker;
  running: Promise<void>;
  outbox: RecordingChannel;
  taskQueue: string;
  dataDir: string;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-migrate-'));
const DUTY = 'migrate-check';
let bundle: WorkflowBundle;
let source: Side;
let target: Side;
let tree: OrgTree;

/** Each side its own payload key: the migration decrypts with the source's and encrypts with the target's. */
const KEYS = { source: Buffer.alloc(32, 1), target: Buffer.alloc(32, 2) };

function converter(key: Buffer) {
  return dutyDataConverter({ current: { id: keyIdOf(key), key }, all: new Map([[keyIdOf(key), key]]), source: 'test' });
}

async function side(name: 'source' | 'target'): Promise<Side> {
  const server = await startDevServer({ headless: true, dbFile: path.join(tmp, name, 'temporal.db') });
  const connection = await Connection.connect({ address: server.address });
  const dataConverter = converter(KEYS[name]);
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const native = await NativeConnection.connect({ address: server.address });
  const outbox = new RecordingChannel();
  const taskQueue = `migrate-${name}-${Date.now()}`;
  const worker = await createDutyWorker({
    connection: native,
    client,
    namespace: server.namespace,
    settings: { ...settings(), taskQueue, quietHours: false, dataDir: path.join(tmp, name) },
    logger: pino({ level: 'silent' }),
    workflowBundle: bundle,
    channels: { outbox },
    dataConverter,
  });
  return { server, client, connection, native, worker, running: worker.run(), outbox, taskQueue, dataDir: path.join(tmp, name) };
}

async function stop(s: Side | undefined): Promise<void> {
  if (!s) return;
  s.worker.shutdown();
  await s.running;
  await s.native.close();
  await s.connection.close();
  await s.server.stop();
}

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'warn' }));
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  tree = new OrgTree((await loadCatalog(settings().catalogDir)).roster);
  [source, target] = await Promise.all([side('source'), side('target')]);
});

afterAll(async () => {
  await Promise.all([stop(source), stop(target)]);
  rmSync(tmp, { recursive: true, force: true });
});

/** A task of its own duty whose instants are seconds apart, so one test sees reminders on both sides of the move. */
function taskInput(unitId: string, due: number, reminders: number[], dutyId = DUTY): TaskInput {
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

/** The target's env file as `npm run cluster -- up` writes it: the key its workers hold, so copies are written with it. */
const targetEnv = (extra = '') =>
  `TEMPORAL_NAMESPACE=${target.server.namespace}\nDUTY_TASK_QUEUE='${target.taskQueue}'\nDUTY_PAYLOAD_KEY=${KEYS.target.toString('base64')}\n${extra}`;
const sentTo = (s: Side, id: string) => s.outbox.sent.filter((m) => m.notificationId === id);
const summary = async (client: Client, filter: TaskFilter = { dutyId: DUTY }) =>
  (await listTasks(client, filter)).map((t) => ({ id: t.taskId, status: t.status, level: t.escalationLevel, dueOn: t.dueOn })).sort((a, b) => a.id.localeCompare(b.id));

test('an installation moves with its open, overdue and completed tasks; its reminders go on once, from the target', async () => {
  const now = Date.now();
  const [a, b, c] = tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' }).map((x) => x.unitId);
  if (!a || !b || !c) throw new Error('the roster has fewer than three departments');
  const open = taskInput(a, now + 120_000, [now + 3_000, now + 60_000]);
  const overdue = taskInput(b, now - 3 * 86_400_000, []);
  const done = taskInput(c, now + 600_000, []);
  for (const t of [open, overdue, done]) await startTask(source.client, source.taskQueue, t);
  await source.client.workflow.getHandle(done.taskId).executeUpdate(completeTaskUpdate, { args: [{ by: done.completers[0] ?? '' }] });

  // The first reminder and the overdue task's catch-up went out from the source before the move.
  const first = `${open.taskId}/reminder-1`;
  await eventually(async () => sentTo(source, first).length, (n) => n === 1);
  await eventually(async () => (await source.client.workflow.getHandle(overdue.taskId).query(taskStateQuery)).deliveries.length, (n) => n > 0);
  const before = await eventually(() => summary(source.client), (list) => list.map((t) => t.status).sort().join() === 'done,open,overdue');

  const envFile = path.join(tmp, 'target.env');
  writeFileSync(envFile, targetEnv());
  const result = await migrate(source.client, { to: target.server.address, toEnv: envFile });
  expect(result.ok).toBe(true);
  for (const c of result.counts) expect(c.target).toBe(c.source);
  expect(result.counts.find((c) => c.label === '未办结任务')).toMatchObject({ source: 2, target: 2 });
  expect(result.counts.find((c) => c.label === '已办结任务')).toMatchObject({ source: 1, target: 1 });

  // The target's list equals the source's; the source's tasks are stopped and its schedules paused.
  expect(await eventually(() => summary(target.client), (list) => JSON.stringify(list) === JSON.stringify(before))).toEqual(before);
  expect((await source.client.workflow.getHandle(open.taskId).describe()).status.name).toBe('TERMINATED');
  const state = await target.client.workflow.getHandle(open.taskId).query(taskStateQuery);
  expect(state.deliveries.map((d) => d.notificationId)).toContain(first);

  // A second run creates nothing.
  const again = await migrate(source.client, { to: target.server.address, toEnv: envFile });
  expect(again).toMatchObject({ ok: true, created: 0 });

  // The next reminder arrives once, from the target; the first is not repeated.
  const second = `${open.taskId}/reminder-2`;
  await eventually(async () => sentTo(target, second).length, (n) => n >= 1, 90_000);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(sentTo(target, second)).toHaveLength(1);
  expect(sentTo(source, second)).toHaveLength(0);
  expect(sentTo(target, first)).toHaveLength(0);
  expect(sentTo(target, `${overdue.taskId}/overdue-1`)).toHaveLength(0);
}, 240_000);

/** A file-backed installation's own records, one or more of each kind, written through the stores themselves. */
async function seedStores(dataDir: string, personId: string) {
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

function serviceContext(s: Side): ServiceContext {
  return {
    settings: { ...settings(), dataDir: s.dataDir, taskQueue: s.taskQueue },
    catalog: () => loadCatalog(settings().catalogDir),
    tree: async () => tree,
    duty: () => Promise.reject(new Error('not needed')),
    temporal: async () => s.client,
  };
}

test('a household with its revisit programme and a heralded task move too; the stores are copied into PostgreSQL', async () => {
  const db = await freshDatabase();
  const pgDb = await PgDatabase.open(db.url);
  try {
    const now = Date.now();
    const cleared = shanghaiDate(now);
    const csv = path.join(tmp, 'households.csv');
    writeFileSync(csv, `户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期\nH-MIG1,测试户主甲,430981199001011237,v-hongxing,边缘易致贫户,因病,2025-03-01,${cleared}\n`);
    // The import path refuses to write personal data unencrypted: the source's key, as `npm start` would have it.
    process.env.DUTY_PAYLOAD_KEY = KEYS.source.toString('base64');
    try {
      await importHouseholds(serviceContext(source), { id: 'cli:test', via: 'cli' }, csv, { by: 'test' });
    } finally {
      process.env.DUTY_PAYLOAD_KEY = 'off';
    }
    const household = await eventually(() => householdState(source.client, 'H-MIG1'), (h) => h.episodes.some((e) => e.kind === 'revisit'));
    const programmeId = household.episodes.find((e) => e.kind === 'revisit')?.workflowId ?? '';
    await eventually(() => revisitState(source.client, programmeId), (p) => p.revisits.length === 4);

    const [unit] = tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' }).map((x) => x.unitId);
    const heralded = taskInput(unit ?? '', now + 600_000, [now + 2_000], 'migrate-herald');
    await openTaskBatch(source.client, source.taskQueue, [heralded]);
    const sourceDeliveries = deliveryLogOf({ kind: 'files', dataDir: source.dataDir });
    await eventually(() => sourceDeliveries.forTask(heralded.taskId), (d) => d.length > 0);
    const person = heralded.assignee.personId;
    const seeded = await seedStores(source.dataDir, person);

    const others = async (client: Client) => (await summary(client, {})).filter((t) => !t.id.includes(`:${DUTY}:`));
    const tasksBefore = await others(source.client);
    expect(tasksBefore.map((t) => t.id)).toContain(heralded.taskId);
    const householdsBefore = await listHouseholds(source.client);
    const programmeBefore = await revisitState(source.client, programmeId);

    const envFile = path.join(tmp, 'target-db.env');
    writeFileSync(envFile, targetEnv(`DUTY_DATABASE_URL=${db.url}\n`));
    const opts = { to: target.server.address, toEnv: envFile, dataDir: source.dataDir };
    const result = await migrate(source.client, opts);
    expect(result.ok).toBe(true);
    const count = (label: string) => result.counts.find((c) => c.label === label);
    for (const label of ['监测户', '回头看计划', '提醒批次']) expect(count(label)?.source).toBeGreaterThan(0);
    for (const label of ['账号', '访问令牌', '登录会话', '日历订阅', '紧急情况', '提醒送达记录', '佐证材料']) expect(count(label)?.source).toBeGreaterThan(0);
    expect(count('访问令牌')).toMatchObject({ source: 2, target: 2 });
    const sourceAudit = await auditLogOf({ kind: 'files', dataDir: source.dataDir }).list();
    expect(count('操作记录')).toMatchObject({ source: sourceAudit.length, target: sourceAudit.length });

    // The target's lists and households equal the source's, read with the target's own key.
    expect(await eventually(() => others(target.client), (list) => JSON.stringify(list) === JSON.stringify(tasksBefore))).toEqual(tasksBefore);
    expect((await listHouseholds(target.client)).map(({ householdId, villageId, status }) => ({ householdId, villageId, status }))).toEqual(
      householdsBefore.map(({ householdId, villageId, status }) => ({ householdId, villageId, status })),
    );
    expect((await householdState(target.client, 'H-MIG1')).record.idNumber).toBe('430981199001011237');
    expect(await eventually(() => revisitState(target.client, programmeId), (p) => JSON.stringify(p) === JSON.stringify(programmeBefore))).toEqual(programmeBefore);

    // The stores, on the target's database: signed in, same tokens, same audit trail in the same order.
    const pgSide = { kind: 'postgres', db: pgDb, dataDir: target.dataDir } as const;
    expect(await accountStore(pgSide, 4).verify(person, 'correct-horse-9')).toBe(true);
    expect(await accountStore(pgSide, 4).resolveToken(seeded.token)).toBe(person);
    expect(await sessionStore(pgSide).resolve(seeded.sid)).toMatchObject({ personId: person });
    expect(await feedTokens(pgSide).personFor(seeded.feed)).toBe(person);
    expect(await auditLogOf(pgSide).list()).toEqual(sourceAudit);
    expect(await emergencyStoreOf(pgSide).list()).toEqual(await emergencyStoreOf({ kind: 'files', dataDir: source.dataDir }).list());
    expect(await emergencyStoreOf(pgSide).nextId('2026-12-01')).not.toBe(seeded.emergencyId);
    expect((await evidenceStoreOf(pgSide).read(seeded.evidence))?.size).toBe(Buffer.byteLength('a photo of the minutes'));
    const byKey = (list: { notificationId: string; personId: string }[]) => [...list].sort((a, b) => `${a.notificationId}${a.personId}`.localeCompare(`${b.notificationId}${b.personId}`));
    expect(byKey(await deliveryLogOf(pgSide).forTask(heralded.taskId))).toEqual(byKey(await sourceDeliveries.forTask(heralded.taskId)));

    // A second run copies nothing.
    expect(await migrate(source.client, opts)).toMatchObject({ ok: true, created: 0 });
    expect(await auditLogOf(pgSide).list()).toEqual(sourceAudit);
  } finally {
    await pgDb.close();
    await db.drop();
  }
}, 240_000);

test('bad input is refused in Chinese, naming the option', async () => {
  const missing = path.join(tmp, 'nope.env');
  expect(await duty('migrate', '--to', 'not an address')).toMatchObject({ code: 2 });
  expect((await duty('migrate', '--to', 'not an address')).err).toContain('--to');
  expect((await duty('migrate', '--to', '127.0.0.1:7233', '--to-env', missing)).err).toContain(`--to-env: 文件不存在: ${missing}`);
  const tlsEnv = path.join(tmp, 'tls.env');
  writeFileSync(tlsEnv, `TEMPORAL_TLS_CLIENT_CERT_PATH=${path.join(tmp, 'client.pem')}\n`);
  expect((await duty('migrate', '--to', '127.0.0.1:7233', '--to-env', tlsEnv)).err).toContain('TEMPORAL_TLS_CLIENT_CERT_PATH 指向的文件不存在');
  expect((await duty('migrate', '--to', '127.0.0.1:7233', '--database-url', 'mysql://x')).err).toContain('--database-url');
  process.env.TEMPORAL_ADDRESS = source.server.address;
  const unreachable = await duty('migrate', '--to', '127.0.0.1:1');
  delete process.env.TEMPORAL_ADDRESS;
  expect(unreachable).toMatchObject({ code: 1 });
  expect(unreachable.err).toContain('--to: 无法连接目标 Temporal 127.0.0.1:1');
});
