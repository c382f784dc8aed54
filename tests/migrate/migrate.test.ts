import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkflowBundle } from '@temporalio/worker';
import { completeTaskUpdate, taskStateQuery } from '../../src/contracts/dutyTask';
import type { OrgTree } from '../../src/roster/orgTree';
import { migrate } from '../../src/services/migrate';
import { startTask } from '../../src/tasks/start';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { accountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { auditLogOf } from '../../src/audit/store';
import { feedTokens } from '../../src/feeds/tokens';
import { householdState, listHouseholds, revisitState } from '../../src/households/client';
import { PgDatabase } from '../../src/store/pg/database';
import { deliveryLogOf, emergencyStoreOf, evidenceStoreOf } from '../../src/store/records';
import { freshDatabase } from '../support/postgres';
import { duty, eventually } from '../support/cli';
import { bundleEngine, CHECK_DUTY, checkTask, departments, embeddedInstallation, importClearedHousehold, type Installation, loadTree, seedStores, sentTo, taskSummary } from './support';
import { ensureDigestSchedule } from '../../src/schedules/digestSchedule';
import { DIGEST_SCHEDULE_ID } from '../../src/contracts/digest';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-migrate-'));
let bundle: WorkflowBundle;
let source: Installation;
let target: Installation;
let tree: OrgTree;

/** Each side its own payload key: the migration decrypts with the source's and encrypts with the target's. */
const KEYS = { source: Buffer.alloc(32, 1), target: Buffer.alloc(32, 2) };

beforeAll(async () => {
  bundle = await bundleEngine();
  tree = await loadTree();
  [source, target] = await Promise.all([embeddedInstallation(path.join(tmp, 'source'), KEYS.source, bundle), embeddedInstallation(path.join(tmp, 'target'), KEYS.target, bundle)]);
});

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  rmSync(tmp, { recursive: true, force: true });
});

/** The target's env file as `npm run cluster -- up` writes it: the key its workers hold, so copies are written with it. */
const targetEnv = (extra = '') =>
  `TEMPORAL_NAMESPACE=${target.server.namespace}\nDUTY_TASK_QUEUE='${target.taskQueue}'\nDUTY_PAYLOAD_KEY=${KEYS.target.toString('base64')}\n${extra}`;

test('an installation moves with its open, overdue and completed tasks; its reminders go on once, from the target', async () => {
  const now = Date.now();
  const [a, b, c] = departments(tree);
  const open = checkTask(tree, a, now + 120_000, [now + 3_000, now + 60_000]);
  const overdue = checkTask(tree, b, now - 3 * 86_400_000, []);
  const done = checkTask(tree, c, now + 600_000, []);
  for (const t of [open, overdue, done]) await startTask(source.client, source.taskQueue, t);
  await ensureDigestSchedule(source.client, { taskQueue: source.taskQueue });
  await source.client.workflow.getHandle(done.taskId).executeUpdate(completeTaskUpdate, { args: [{ by: done.completers[0] ?? '' }] });

  // The first reminder and the overdue task's catch-up went out from the source before the move.
  const first = `${open.taskId}/reminder-1`;
  await eventually(async () => sentTo(source.outbox, first).length, (n) => n === 1);
  await eventually(async () => (await source.client.workflow.getHandle(overdue.taskId).query(taskStateQuery)).deliveries.length, (n) => n > 0);
  const before = await eventually(() => taskSummary(source.client), (list) => list.map((t) => t.status).sort().join() === 'done,open,overdue');

  const envFile = path.join(tmp, 'target.env');
  writeFileSync(envFile, targetEnv());
  const result = await migrate(source.client, { to: target.server.address, toEnv: envFile });
  expect(result.ok).toBe(true);
  for (const c of result.counts) expect(c.target).toBe(c.source);
  expect(result.counts.find((c) => c.label === '未办结任务')).toMatchObject({ source: 2, target: 2 });
  expect(result.counts.find((c) => c.label === '已办结任务')).toMatchObject({ source: 1, target: 1 });

  // The target's list equals the source's; the source's tasks are stopped and its schedules paused.
  expect(await eventually(() => taskSummary(target.client), (list) => JSON.stringify(list) === JSON.stringify(before))).toEqual(before);
  expect((await source.client.workflow.getHandle(open.taskId).describe()).status.name).toBe('TERMINATED');
  // Its daily digest too: the two sides must not both send it until the source is stopped.
  expect((await source.client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe()).state).toMatchObject({ paused: true, note: `已迁移到 ${target.server.address}` });
  const state = await target.client.workflow.getHandle(open.taskId).query(taskStateQuery);
  expect(state.deliveries.map((d) => d.notificationId)).toContain(first);

  // A second run creates nothing.
  const again = await migrate(source.client, { to: target.server.address, toEnv: envFile });
  expect(again).toMatchObject({ ok: true, created: 0 });

  // The next reminder arrives once, from the target; the first is not repeated.
  const second = `${open.taskId}/reminder-2`;
  await eventually(async () => sentTo(target.outbox, second).length, (n) => n >= 1, 90_000);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(sentTo(target.outbox, second)).toHaveLength(1);
  expect(sentTo(source.outbox, second)).toHaveLength(0);
  expect(sentTo(target.outbox, first)).toHaveLength(0);
  expect(sentTo(target.outbox, `${overdue.taskId}/overdue-1`)).toHaveLength(0);
}, 240_000);

test('a household with its revisit programme and a heralded task move too; the stores are copied into PostgreSQL', async () => {
  const db = await freshDatabase();
  const pgDb = await PgDatabase.open(db.url);
  try {
    const now = Date.now();
    const programmeId = await importClearedHousehold(source, tree, 'H-MIG1');
    const [unit] = departments(tree);
    const heralded = checkTask(tree, unit, now + 600_000, [now + 2_000], 'migrate-herald');
    await openTaskBatch(source.client, source.taskQueue, [heralded]);
    const sourceDeliveries = deliveryLogOf({ kind: 'files', dataDir: source.dataDir });
    await eventually(() => sourceDeliveries.forTask(heralded.taskId), (d) => d.length > 0);
    const person = heralded.assignee.personId;
    const seeded = await seedStores(source.dataDir, person);

    const others = async (client: Client) => (await taskSummary(client, {})).filter((t) => !t.id.includes(`:${CHECK_DUTY}:`));
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
