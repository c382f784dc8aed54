import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { planningActivities } from '../../activities/planning';
import { settings } from '../../src/config';
import { completeTaskUpdate, reassignTaskUpdate, type TaskInput, type TaskState, taskStateQuery } from '../../src/contracts/dutyTask';
import type { OutgoingMessage } from '../../src/notify/channel';
import { OrgTree } from '../../src/roster/orgTree';
import { reassignRequest } from '../../src/services/taskSteps';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { FileDeliveryLog } from '../../src/store/deliveries';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { heraldWorkflowId } from '../../src/contracts/dutyNotices';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { taskInputFor } from '../../src/tasks/taskInput';
import { createDutyWorker } from '../../worker';
import { roster, villageReport } from '../fixtures/org';
import { RecordingChannel } from '../support/recordingChannel';
import { createTimeSkippingEnv } from '../support/temporalEnv';
import { sleepUntil } from '../support/timeSkipping';

/**
 * The herald of one occurrence (April 2027 of the village report: reminders 12, 14 and 15 April at 09:00, deadline
 * 15 April 18:00) sends every open task's notice in one message per person, on the time-skipping server.
 */
const tree = new OrgTree(roster);
const calendar = loadWorkCalendar();
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'error' }));
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
});
// A fresh server per test: one test's heralds, still due later, would hold the next test's skipped clock.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

/** Tasks of one occurrence for several holders: three each for two cadres of 松村 and one of the township. */
async function inputs(tag: string, holders: string[], period = '2027-04'): Promise<TaskInput[]> {
  const plan = await planningActivities({ calendar, roster: () => tree }).planCycle({ duty: villageReport, period, at: new Date().toISOString() });
  const base = plan.tasks[0] as TaskInput;
  return holders.map((personId, i) => {
    const unitId = tree.person(personId).unit;
    const input = taskInputFor(villageReport, base.occurrence, { personId, unitId }, tree);
    return { ...input, taskId: `${input.taskId}:${tag}${i + 1}` };
  });
}

const byInstant = (sent: OutgoingMessage[], instant: string) => sent.filter((m) => m.id.includes(`/${instant}/`));
const recipients = (messages: OutgoingMessage[]) => messages.map((m) => m.personId).sort();

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function withWorker(people: OrgTree, body: (ctx: { taskQueue: string; channel: RecordingChannel; log: FileDeliveryLog }) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-'));
  const taskQueue = `herald-${Date.now()}`;
  const channel = new RecordingChannel();
  const worker: Worker = await createDutyWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: 'default',
    settings: { ...settings(), taskQueue, dataDir, quietHours: true },
    logger: pino({ level: 'silent' }),
    workflowBundle: bundle,
    channels: { outbox: channel },
    roster: () => people,
    calendar,
    // Quiet hours are judged on the test server's skipped clock, which schedules each activity attempt.
    clock: () => new Date(Context.current().info.currentAttemptScheduledTimestampMs),
  });
  await worker.runUntil(() => body({ taskQueue, channel, log: new FileDeliveryLog(dataDir) }));
}

test('one message per person per instant, every task recorded, closed and reassigned tasks left out, late tasks catch up', async () => {
  const client = env.client;
  const state = (id: string) => client.workflow.getHandle(id).query(taskStateQuery);
  await withWorker(tree, async ({ taskQueue, channel, log }) => {
    const logged = async (id: string) => (await log.forTask(id)).map((d) => `${d.kind}-${d.personId}`);
    const first = await inputs('a', ['p-pine-1', 'p-pine-1', 'p-pine-1', 'p-pine-2', 'p-pine-2', 'p-pine-2', 'p-east-cadre', 'p-east-cadre', 'p-east-cadre']);
    const [a1, , a3, b1, b2] = first.map((t) => t.taskId) as string[];
    await openTaskBatch(client, taskQueue, first);

    // Completed one second before the first reminder: left out of it.
    await sleepUntil(env, '2027-04-12T08:59:59');
    await client.workflow.getHandle(a3 as string).executeUpdate(completeTaskUpdate, { args: [{ by: 'p-pine-1', fields: { householdsVisited: 4 } }] });
    await sleepUntil(env, '2027-04-12T09:00:30');
    const firstReminder = await until(() => (byInstant(channel.sent, 'reminder-1').length >= 3 ? byInstant(channel.sent, 'reminder-1') : undefined), 'the first reminder');
    expect(recipients(firstReminder)).toEqual(['p-east-cadre', 'p-pine-1', 'p-pine-2']);
    expect(channel.sent.filter((m) => m.subject.includes('待办提醒'))).toHaveLength(3);
    expect(firstReminder.find((m) => m.personId === 'p-pine-1')?.subject).toContain('共 2 项');
    expect(firstReminder.find((m) => m.personId === 'p-pine-1')?.links).toHaveLength(2);
    for (const t of first.filter((x) => x.taskId !== a3)) expect(await until(async () => ((await logged(t.taskId)).length ? logged(t.taskId) : undefined), t.taskId)).toEqual([`reminder-${t.assignee.personId}`]);
    expect(await logged(a3 as string)).toEqual([]);
    // The tasks themselves slept through the reminder: no timer of theirs fired.
    const history = await client.workflow.getHandle(a1 as string).fetchHistory();
    expect(history.events?.filter((e) => e.timerFiredEventAttributes).length).toBe(0);

    // Reassigned: the task leaves the herald and reminds its new holder itself; late tasks get the missed reminder.
    await sleepUntil(env, '2027-04-13T10:00');
    await client.workflow.getHandle(b1 as string).executeUpdate(reassignTaskUpdate, { args: [reassignRequest(tree, 'p-east-sup', 'p-pine-1', '分工调整')] });
    const late = await inputs('c', ['p-east-cadre', 'p-east-cadre']);
    await openTaskBatch(client, taskQueue, late);
    const catchUp = await until(() => channel.sent.find((m) => m.id.includes('/reminder-1-c1/')), 'the catch-up');
    expect(catchUp.personId).toBe('p-east-cadre');
    expect(catchUp.links).toHaveLength(2);

    await sleepUntil(env, '2027-04-14T09:00:30');
    const second = await until(() => (byInstant(channel.sent, 'reminder-2').length >= 3 ? byInstant(channel.sent, 'reminder-2') : undefined), 'the second reminder');
    expect(recipients(second)).toEqual(['p-east-cadre', 'p-pine-1', 'p-pine-2']);
    expect(second.find((m) => m.personId === 'p-pine-2')?.links?.some((l) => l.includes(encodeURIComponent(b1 as string)))).toBe(false);
    expect(second.find((m) => m.personId === 'p-east-cadre')?.links).toHaveLength(5);
    const moved: TaskState = await until(async () => {
      const s = await state(b1 as string);
      return s.deliveries.some((d) => d.kind === 'reminder') ? s : undefined;
    }, 'the moved task reminding itself');
    expect(moved.herald?.leftAt).toBeDefined();
    expect(moved.deliveries.filter((d) => d.kind === 'reminder').map((d) => `${d.notificationId}@${d.personId}`)).toEqual([`${b1}/r1-reminder-2@p-pine-1`]);

    // The deadline: the overdue notice once per person, the task marked overdue by its own timer.
    await sleepUntil(env, '2027-04-15T18:00:30');
    const overdue = await until(() => {
      const list = byInstant(channel.sent, 'overdue-1');
      return list.length >= 3 ? list : undefined;
    }, 'the overdue notices');
    expect(new Set(recipients(overdue)).size).toBe(overdue.length);
    expect((await state(b2 as string)).status).toBe('overdue');
    expect(await until(async () => ((await logged(b2 as string)).some((k) => k.startsWith('overdue')) ? logged(b2 as string) : undefined), 'b2 overdue record')).toContain('overdue-p-pine-2');
  });
});

test('a catch-up due at night waits for working hours unless the duty is urgent; the notices of a digest reader wait for the digest', async () => {
  const digestReader = new OrgTree({ ...roster, people: roster.people.map((p) => (p.id === 'p-pine-2' ? { ...p, delivery: 'digest' as const } : p)) });
  await withWorker(digestReader, async ({ taskQueue, channel, log }) => {
    // July 2027: reminders on the 12th, 14th and 15th at 09:00; opened the evening of the 12th.
    await sleepUntil(env, '2027-07-12T20:00');
    const quiet = await inputs('q', ['p-pine-1'], '2027-07');
    const urgent = (await inputs('u', ['p-east-cadre'], '2027-07')).map((t) => ({ ...t, duty: { ...t.duty, id: 'village-report-urgent', urgent: true } }));
    await openTaskBatch(env.client, taskQueue, [...quiet, ...urgent]);
    const atNight = await until(() => channel.sent.find((m) => m.personId === 'p-east-cadre'), 'the urgent catch-up');
    expect(atNight.id).toContain('/reminder-1-c1/');
    const deferred = await until(async () => {
      const pending = (await env.client.workflow.getHandle(heraldWorkflowId(quiet[0] as TaskInput)).describe()).raw.pendingActivities ?? [];
      return pending.find((a) => a.lastFailure?.message === '非工作时间,推迟发送');
    }, 'the deferral');
    expect(deferred.attempt).toBeGreaterThan(1);
    expect(channel.sent).toHaveLength(1);

    // August 2027: reminders on the 11th and 13th at 09:00; opened at 10:00 on the 13th, in working hours.
    await sleepUntil(env, '2027-08-13T10:00');
    const august = await inputs('d', ['p-pine-1', 'p-pine-2'], '2027-08');
    await openTaskBatch(env.client, taskQueue, august);
    const sent = await until(() => channel.sent.find((m) => m.personId === 'p-pine-1' && m.id.includes(':2027-08:')), 'the August catch-up');
    expect(sent.id).toContain('/reminder-2-c1/');
    const digest = await until(async () => (await log.forTask((august[1] as TaskInput).taskId))[0], 'the digest record');
    expect(digest).toMatchObject({ kind: 'reminder', result: 'digest', channel: 'none', personId: 'p-pine-2' });
    expect(channel.sent.filter((m) => m.personId === 'p-pine-2')).toEqual([]);
  });
});
