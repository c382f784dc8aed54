import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import pino from 'pino';
import { periodContaining } from '../../src/calendar';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { REPO_ROOT, settings } from '../../src/config';
import { EmailChannel } from '../../src/notify/email';
import { OutboxChannel } from '../../src/notify/outbox';
import type { OverdueReport } from '../../src/report/overdue';
import { OrgTree } from '../../src/roster/orgTree';
import { scheduleId } from '../../src/contracts/dutyCycle';
import type { Catalog } from '../../src/shared/types';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { listTasks } from '../../src/tasks/query';
import { createDutyWorker } from '../../worker';
import { duty, eventually } from '../support/cli';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';

const DUTY = 'monthly-data-import';
const ZONE = 'Asia/Shanghai';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-e2e-'));
const taskQueue = `e2e-${Date.now()}`;

let server: DevServer;
let smtp: SmtpSink;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let catalog: Catalog;
let tree: OrgTree;

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'warn' }));
  [server, smtp, catalog] = await Promise.all([
    startDevServer({ headless: true, dbFile: path.join(tmp, 'temporal.db') }),
    startSmtpSink(),
    loadCatalog(settings().catalogDir),
  ]);
  tree = new OrgTree(catalog.roster);
  Object.assign(process.env, { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, DUTY_TASK_QUEUE: taskQueue, DUTY_DATA_DIR: tmp });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  worker = await createDutyWorker({
    connection: nativeConnection,
    client,
    namespace: server.namespace,
    // Quiet hours off: this test runs at any hour and wants the catch-up notices at once.
    settings: { ...settings(), taskQueue, quietHours: false },
    logger: pino({ level: 'silent' }),
    channels: {
      email: new EmailChannel({ host: '127.0.0.1', port: smtp.port, secure: false, from: '职责提醒 <duty@example.org>' }),
      outbox: new OutboxChannel(path.join(tmp, 'outbox')),
    },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await Promise.all([server?.stop(), smtp?.close()]);
  recordFootprint(path.join(tmp, 'temporal.db'));
  rmSync(tmp, { recursive: true, force: true });
});

/** The dev server's disk footprint after the run, kept as a git-ignored artifact for the issue note. */
function recordFootprint(dbFile: string): void {
  const bytes = ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (statSync(dbFile + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
  mkdirSync(path.join(REPO_ROOT, 'artifacts'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, 'artifacts', 'e2e-footprint.json'), JSON.stringify({ dbFile, bytes }, null, 2));
}

const departments = () => tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' });

test('apply, trigger, remind by mail, complete, report overdue, re-apply unchanged', async () => {
  const scheduled = catalog.duties.filter((d) => d.recurrence.kind !== 'triggered');

  // 1. Apply the default catalog.
  const applied = await duty('apply');
  expect(applied).toMatchObject({ code: 0, err: '' });
  expect(applied.out).toContain(`新建 ${scheduled.length},更新 0,删除 0,无变化 0`);

  // 2. The schedule's next action is the first day of next month, 07:00 in Shanghai.
  const described = await client.schedule.getHandle(scheduleId(DUTY)).describe();
  const nextMonth = DateTime.now().setZone(ZONE).startOf('month').plus({ months: 1 }).set({ hour: 7 });
  expect(described.info.nextActionTimes[0]?.getTime()).toBe(nextMonth.toMillis());
  expect(described.spec.timezone).toBe(ZONE);

  // 3–4. Trigger: one task per department for the current period, and a second trigger adds none.
  const period = periodContaining({ kind: 'monthly' }, DateTime.now().setZone(ZONE).toISODate() ?? '')?.label ?? '';
  expect((await duty('trigger', DUTY)).code).toBe(0);
  const current = await eventually(
    () => listTasks(client, { dutyId: DUTY, period }),
    (tasks) => tasks.length >= departments().length,
  );
  expect(current.map((t) => t.unit).sort()).toEqual(departments().map((a) => a.unitId).sort());
  expect((await duty('trigger', DUTY)).code).toBe(0);
  // Applying opened the period under way already when its deadline is ahead, so the first trigger's tasks exist at
  // once and the second trigger may land in the same second as the first: the schedule then starts one run for both.
  // Either way no cycle adds a task.
  const cycles = async (status: string) => (await client.workflow.count(`WorkflowType = 'dutyCycle' AND DutyId = '${DUTY}' AND ExecutionStatus = '${status}'`)).count;
  await eventually(
    async () => ({ running: await cycles('Running'), completed: await cycles('Completed') }),
    (c) => c.running === 0 && c.completed >= 2,
    90_000,
  );
  expect(await listTasks(client, { dutyId: DUTY, period })).toHaveLength(departments().length);

  // 5. A period missed while the system was down, backfilled: each task opens already overdue and mails at once.
  expect((await duty('backfill', DUTY, '--from', '2026-10-01', '--to', '2026-10-01')).code).toBe(0);
  const octoberTasks = await eventually(
    () => listTasks(client, { dutyId: DUTY, period: '2026-10' }),
    (tasks) => tasks.length === departments().length,
  );
  const edu = octoberTasks.find((t) => t.unit === 'dept-edu');
  expect(edu?.taskId).toBe(`task:${DUTY}:2026-10:dept-edu`);
  const liaison = tree.peopleOf('dept-edu', 'liaison')[0];
  const levelTwo = tree.supervisorsAt('dept-edu', 2).map((p) => p.email);
  const october = (mails: typeof smtp.messages) => mails.filter((m) => m.subject?.includes('(2026-10)'));
  const mailTo = (address: string | undefined) => october(smtp.messages).find((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);
  const eduMail = await eventually(async () => mailTo(liaison?.email), Boolean);
  expect(eduMail?.subject).toMatch(/^【二级督办·逾期\d+天】行业部门每月导入监测数据\(2026-10\) 原定截止 2026-10-15$/);
  expect(eduMail?.text).toContain(`/tasks/${encodeURIComponent(`task:${DUTY}:2026-10:dept-edu`)}`);
  expect(eduMail?.html).toContain('>打开任务</a>');
  // The occurrence's herald sent it, with the latest notice the backfilled tasks had missed.
  expect(eduMail?.messageId).toMatch(new RegExp(`^<notices_${DUTY}_2026-10_.*_${liaison?.id}@`));
  // Every late department in one mail to each bureau supervisor, each named, not one mail per department.
  const supervisorMail = await eventually(async () => mailTo(levelTwo[0]), Boolean);
  expect(supervisorMail?.text).toContain(`以下 ${departments().length} 个单位`);
  for (const d of departments()) expect(supervisorMail?.text).toContain(tree.unit(d.unitId).name);
  expect(october(smtp.messages).filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === levelTwo[0])).toHaveLength(1);

  // A refused completion names the problem and changes nothing.
  const refused = await duty('task', 'complete', `task:${DUTY}:2026-10:dept-edu`, '--by', liaison?.id ?? '', '--field', 'recordsImported=-1');
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('导入数据条数(recordsImported)不能小于 0');

  // 6. Complete one task.
  const done = await duty('task', 'complete', `task:${DUTY}:2026-10:dept-edu`, '--by', liaison?.id ?? '', '--field', 'recordsImported=1200', '--note', '已导入');
  expect(done).toMatchObject({ code: 0, err: '' });

  // 7. The overdue report lists the other October tasks and not that one.
  const report = await eventually(
    async () => JSON.parse((await duty('report', 'overdue', '--format', 'json')).out) as OverdueReport,
    (r) => !JSON.stringify(r).includes(`2026-10:dept-edu"`),
  );
  const rows = report.groups.flatMap((g) => g.units.flatMap((u) => u.tasks));
  const octoberRows = rows.filter((r) => r.period === '2026-10');
  expect(octoberRows.map((r) => r.unitId).sort()).toEqual(departments().map((a) => a.unitId).filter((u) => u !== 'dept-edu').sort());
  expect(report.groups.find((g) => g.townshipId === 'departments')?.townshipName).toBe('市直行业部门');
  expect(octoberRows[0]).toMatchObject({ dueOn: '2026-10-15', escalationLevel: 2 });
  const csv = await duty('report', 'overdue', '--unit', 'dept-water', '--format', 'csv');
  expect(csv.out.split('\n')[0]).toBe('\uFEFF乡镇/街道,单位,职责,周期,责任人,截止日期,逾期天数,督办级别,任务编号,办理状态,亮灯');
  expect(csv.out).toContain(`task:${DUTY}:2026-10:dept-water`);
  expect(csv.out).not.toContain('dept-edu');

  // As of the day before the October deadline, none of the October tasks was overdue yet.
  const earlier = JSON.parse((await duty('report', 'overdue', '--as-of', '2026-10-14', '--format', 'json')).out) as OverdueReport;
  expect(JSON.stringify(earlier)).not.toContain('2026-10:');

  // The task's own record: who completed it, with which figures, and every notice it sent.
  const shown = await duty('task', 'show', `task:${DUTY}:2026-10:dept-edu`);
  expect(shown.out).toContain('状态: 已完成');
  expect(shown.out).toContain('数据: recordsImported=1200');
  expect(shown.out).toMatch(/escalation\/L2|repeat\/L2/);

  // 8. A second apply changes nothing.
  const again = await duty('apply');
  expect(again.out).toContain(`新建 0,更新 0,删除 0,无变化 ${scheduled.length}`);
}, 240_000);

test('an invalid catalog is refused with file, line and field, and changes nothing in Temporal', async () => {
  const bad = path.join(tmp, 'bad-catalog');
  mkdirSync(path.join(bad, 'duties'), { recursive: true });
  copyFileSync(path.join(settings().catalogDir, 'roster.yaml'), path.join(bad, 'roster.yaml'));
  writeFileSync(
    path.join(bad, 'duties', 'one.yaml'),
    ['duties:', '  - id: monthly-data-import', '    title: 改过的标题', '    description: x', '    source: 一(一)', '    recurrence: { kind: monthly }', '    assignTo: { unitKinds: [department], role: liaison, per: unit }', '    deadline: { day: 45 }', '    colour: red', ''].join('\n'),
  );
  const before = await duty('plan');
  const refused = await duty('apply', bad);
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('one.yaml');
  expect(refused.err).toMatch(/第 8 行 duties\[0\]\.deadline\.day/);
  expect(refused.err).toMatch(/第 9 行 duties\[0\]\.colour/);
  expect((await duty('plan')).out).toBe(before.out);
});

test('pause records the reason and stops the schedule; resume restarts it', async () => {
  expect((await duty('pause', DUTY, '--reason', '平台升级停机')).code).toBe(0);
  let d = await client.schedule.getHandle(scheduleId(DUTY)).describe();
  expect(d.state).toMatchObject({ paused: true, note: '暂停原因: 平台升级停机' });
  expect((await duty('status')).out).toContain('已暂停: 暂停原因: 平台升级停机');
  expect((await duty('pause', 'no-such-duty', '--reason', 'x')).err).toContain('找不到职责: no-such-duty');
  expect((await duty('resume', DUTY)).code).toBe(0);
  d = await client.schedule.getHandle(scheduleId(DUTY)).describe();
  expect(d.state.paused).toBe(false);
});
