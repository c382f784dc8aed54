import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type Worker, type WorkflowBundle } from '@temporalio/worker';
import Fastify from 'fastify';
import { DateTime } from 'luxon';
import ical, { type VEvent } from 'node-ical';
import pino from 'pino';
import { settings } from '../../src/config';
import { feedTokens } from '../../src/feeds/tokens';
import { icsRoutes, openTasksFrom } from '../../src/http/ics';
import { ensureDigestSchedule } from '../../src/schedules/digestSchedule';
import { WeComChannel } from '../../src/notify/wecom';
import { OrgTree } from '../../src/roster/orgTree';
import { type DailyDigestResult, DIGEST_SCHEDULE_ID } from '../../src/contracts/digest';
import { type TaskInput, type TaskState, taskStateQuery } from '../../src/contracts/dutyTask';
import { listTasks } from '../../src/tasks/query';
import { startTask } from '../../src/tasks/start';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createDutyWorker } from '../../worker';
import { startRobotReceiver, type RobotReceiver } from '../notify/robotReceiver';
import { MOBILE, robotRoster } from '../notify/robotFixtures';
import { eventually } from '../support/cli';
import { RecordingChannel } from '../support/recordingChannel';
import { createDevServerEnv } from '../support/temporalEnv';
import { loadWorkCalendar } from '../../src/sources/holidays';

const ZONE = 'Asia/Shanghai';
const calendar = loadWorkCalendar();
const tree = new OrgTree({ ...robotRoster, people: robotRoster.people.map((p) => (p.id === 'p-pine-1' ? { ...p, delivery: 'digest' as const } : p)) });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-digest-'));
const taskQueue = `digest-${Date.now()}`;
const config = { at: '08:30', dueWithinWorkingDays: 3 };

// The digest's clock runs on a working day ahead of now, so every task it lists is still open in real time.
const today = DateTime.now().setZone(ZONE).toISODate() ?? '';
const day = calendar.addWorkingDays(today, 10).date;
const workingDay = (n: number) => calendar.addWorkingDays(day, n).date;
let clockAt = DateTime.fromISO(`${day}T08:30`, { zone: ZONE }).toMillis();
const started = Date.now();
const clock = () => new Date(clockAt + (Date.now() - started));

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let worker: Worker;
let running: Promise<void>;
let robot: RobotReceiver;
const outbox = new RecordingChannel();

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'error' }));
  [env, bundle, robot] = await Promise.all([
    createDevServerEnv(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') }),
    startRobotReceiver(),
  ]);
  worker = await createDutyWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: env.namespace ?? 'default',
    settings: { ...settings(), taskQueue, dataDir: tmp, outboxDir: path.join(tmp, 'outbox'), quietHours: true },
    logger: pino({ level: 'silent' }),
    workflowBundle: bundle,
    channels: { outbox, wecom: new WeComChannel({ env: { TEST_WECOM_EAST: `${robot.url}/cgi-bin/webhook/send?key=test-key` } }) },
    roster: () => tree,
    calendar,
    clock,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), robot?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

/** A task as a cycle would open it; a reminder an hour ago is sent (or folded) as soon as it starts. */
function taskInput(name: string, personId: string, dueOn: string): TaskInput {
  const opened = DateTime.now().setZone(ZONE);
  const dutyId = `digest-test-${name}`;
  return {
    taskId: `task:${dutyId}:2026-12:${personId}:${taskQueue}`,
    duty: { id: dutyId, title: `测试职责${name}`, completion: { note: 'optional', fields: [] }, escalation: { levels: [{ afterWorkingDays: 0 }], repeatEveryWorkingDays: 2 }, sendAt: '09:00', urgent: false },
    occurrence: {
      dutyId,
      period: '2026-12',
      periodStart: today,
      periodEnd: dueOn,
      opensOn: today,
      opensAt: opened.toISO() ?? '',
      nominalDueOn: dueOn,
      dueOn,
      dueAt: DateTime.fromISO(`${dueOn}T18:00`, { zone: ZONE }).toISO() ?? '',
      reminders: [opened.minus({ hours: 1 }).toISO() ?? ''],
      provisional: false,
    },
    assignee: { personId, unitId: 'v-pine' },
    unitName: '松村',
    unitPath: tree.unitPath('v-pine'),
    township: 't-east',
    completers: ['p-pine-1', 'p-pine-2', 'p-admin'],
    admins: ['p-admin'],
  };
}

const tasks = {
  late: taskInput('late', 'p-pine-1', workingDay(-1)),
  today: taskInput('today', 'p-pine-1', day),
  soon: taskInput('soon', 'p-pine-1', workingDay(2)),
  later: taskInput('later', 'p-pine-1', workingDay(10)),
  colleague: taskInput('colleague', 'p-pine-2', workingDay(1)),
};

async function digestRuns(): Promise<Map<string, DailyDigestResult>> {
  const runs = new Map<string, DailyDigestResult>();
  for await (const info of env.client.workflow.list({ query: `WorkflowType = 'dailyDigest' AND TaskQueue = '${taskQueue}'` })) {
    if (info.status.name === 'COMPLETED') runs.set(info.runId, (await env.client.workflow.getHandle(info.workflowId, info.runId).result()) as DailyDigestResult);
  }
  return runs;
}

/** Triggers the schedule and returns the result of the run it started. */
async function triggerDigest(): Promise<DailyDigestResult> {
  const before = await digestRuns();
  await env.client.schedule.getHandle(DIGEST_SCHEDULE_ID).trigger();
  const after = await eventually(digestRuns, (runs) => runs.size > before.size);
  const fresh = [...after].filter(([runId]) => !before.has(runId));
  expect(fresh).toHaveLength(1);
  return fresh[0]?.[1] as DailyDigestResult;
}

test('the digest schedule fires at 08:30 Shanghai on exactly the working days of the year, holidays and make-up days included', async () => {
  expect(await ensureDigestSchedule(env.client, { taskQueue, calendar, config, now: new Date('2026-06-01T00:00:00Z') })).toBe('create');
  const handle = env.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
  // Paused so it cannot fire by itself during the test; triggers still run it, and apply keeps the pause.
  await handle.pause('测试中');
  expect(await ensureDigestSchedule(env.client, { taskQueue, calendar, config, now: new Date('2026-06-01T00:00:00Z') })).toBe('unchanged');
  expect((await handle.describe()).state.paused).toBe(true);

  const from = DateTime.fromISO('2026-01-01', { zone: ZONE });
  const { startTime } = await env.client.workflowService.listScheduleMatchingTimes({
    namespace: env.namespace ?? 'default',
    scheduleId: DIGEST_SCHEDULE_ID,
    startTime: msToTs(from.toMillis()),
    endTime: msToTs(from.plus({ years: 1 }).toMillis()),
  });
  const fired = startTime.map((t) => DateTime.fromSeconds(Number(t.seconds), { zone: ZONE }));
  expect(new Set(fired.map((t) => t.toFormat('HH:mm')))).toEqual(new Set(['08:30']));
  const workdays: string[] = [];
  for (let d = from; d.year === 2026; d = d.plus({ days: 1 })) if (calendar.isWorkday(d.toISODate() ?? '')) workdays.push(d.toISODate() ?? '');
  expect(fired.map((t) => t.toISODate())).toEqual(workdays);
  expect(workdays).toContain('2026-02-14'); // a make-up Saturday
  expect(workdays).not.toContain('2026-10-01');
});

test('a digest person gets one message listing every due-soon and overdue task; their own reminders were folded into it', async () => {
  for (const input of Object.values(tasks)) await startTask(env.client, taskQueue, input);
  await eventually(
    () => listTasks(env.client, { statuses: ['open'] }),
    (listed) => Object.values(tasks).every((t) => listed.some((l) => l.taskId === t.taskId)),
  );
  // The reminder an hour ago: folded for the digest person, sent for the colleague who wants each notice.
  const late = await eventually(
    () => env.client.workflow.getHandle(tasks.late.taskId).query(taskStateQuery),
    (s: TaskState) => s.deliveries.length > 0,
  );
  expect(late.deliveries).toEqual([expect.objectContaining({ kind: 'reminder', personId: 'p-pine-1', channel: 'none', result: 'digest' })]);
  await eventually(async () => outbox.sent.map((m) => m.personId), (ids) => ids.includes('p-pine-2'));
  expect(robot.received).toHaveLength(0);

  const run = await triggerDigest();
  expect(run).toMatchObject({ date: day, workday: true, deliveries: [{ digestId: `digest:p-pine-1:${day}`, channel: 'wecom', result: 'sent', items: 3 }] });
  expect(robot.received.map((r) => r.body.msgtype)).toEqual(['markdown', 'text']);
  const content = (robot.received[0]?.body.markdown as { content: string }).content;
  expect(content.split('\n')[0]).toBe(`### <font color="warning">【每日待办汇总】${day} 共3项(已逾期1项)</font>`);
  const order = [tasks.late, tasks.today, tasks.soon].map((t) => content.indexOf(t.taskId));
  expect(order.every((i) => i > 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(content).not.toContain(tasks.later.taskId);
  expect(content).not.toContain(tasks.colleague.taskId);
  expect(robot.received[1]?.body.text).toMatchObject({ mentioned_mobile_list: [MOBILE] });
  expect(outbox.sent.filter((m) => m.id.startsWith('digest:'))).toHaveLength(0);
});

test('a second trigger the same day sends nothing more', async () => {
  const run = await triggerDigest();
  expect(run.deliveries).toEqual([expect.objectContaining({ digestId: `digest:p-pine-1:${day}`, result: 'duplicate' })]);
  expect(robot.received).toHaveLength(2);
});

test('on a non-working day the digest sends nothing', async () => {
  let off = DateTime.fromISO(day, { zone: ZONE }).plus({ days: 1 });
  while (calendar.isWorkday(off.toISODate() ?? '')) off = off.plus({ days: 1 });
  clockAt = off.set({ hour: 8, minute: 30 }).toMillis() - (Date.now() - started);
  expect(await triggerDigest()).toEqual({ date: off.toISODate(), workday: false, deliveries: [] });
  expect(robot.received).toHaveLength(2);
});

test('the person’s private ICS feed lists their open tasks with reminders, read back with node-ical', async () => {
  const tokens = feedTokens({ kind: 'files', dataDir: tmp });
  const app = Fastify();
  icsRoutes(app, { tokens, roster: () => tree, openTasks: openTasksFrom(env.client) });
  const token = await tokens.create('p-pine-1');
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const res = await fetch(`${base}/feeds/${token}.ics`);
  const body = await res.text();
  await app.close();
  expect(res.status).toBe(200);
  const events = Object.values(ical.sync.parseICS(body)).filter((c): c is VEvent => c?.type === 'VEVENT');
  const mine = [tasks.late, tasks.today, tasks.soon, tasks.later];
  expect(events.map((e) => e.uid).sort()).toEqual(mine.map((t) => `${t.taskId}@duty-engine`).sort());
  for (const e of events) {
    const input = mine.find((t) => `${t.taskId}@duty-engine` === e.uid);
    expect(e.end?.getTime()).toBe(Date.parse(input?.occurrence.dueAt ?? ''));
    expect(e.alarms).toHaveLength(2);
  }
});
