import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { digestActivities } from '../../activities/digest';
import { notifyActivities } from '../../activities/notify';
import { DingTalkChannel } from '../../src/notify/dingtalk';
import { DigestSender } from '../../src/notify/digestSender';
import { Notifier } from '../../src/notify/notifier';
import { WeComChannel } from '../../src/notify/wecom';
import { digestId, type DigestRequest } from '../../src/contracts/digest';
import { RecordingChannel } from '../support/recordingChannel';
import { startRobotReceiver, type RobotReceiver } from './robotReceiver';
import { request, robotTree } from './robotFixtures';
import { loadWorkCalendar } from '../../src/sources/holidays';

const calendar = loadWorkCalendar();
const log = pino({ level: 'silent' });
let wecom: RobotReceiver;
let dingtalk: RobotReceiver;
// Built but never connected: planning is not under test here, only sending.
const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });

beforeAll(async () => {
  [wecom, dingtalk] = await Promise.all([startRobotReceiver(), startRobotReceiver()]);
});
afterAll(async () => {
  await Promise.all([wecom.close(), dingtalk.close()]);
  await client.connection.close();
});
beforeEach(() => {
  wecom.received.length = 0;
  dingtalk.received.length = 0;
});

function activities(local: string) {
  const env = { TEST_WECOM_EAST: `${wecom.url}/send?key=k`, TEST_DINGTALK_EDU: `${dingtalk.url}/robot/send?access_token=t`, TEST_DINGTALK_EDU_SECRET: 'SECx' };
  const channels = { outbox: new RecordingChannel(), wecom: new WeComChannel({ env }), dingtalk: new DingTalkChannel({ env }) };
  const deps = {
    notifier: new Notifier(channels, 'outbox', log),
    digestSender: new DigestSender(channels, 'outbox', log),
    calendar,
    roster: () => robotTree,
    client,
    quietHours: true,
    clock: () => new Date(local),
  };
  return { ...notifyActivities(deps), ...digestActivities({ ...deps, digestConfig: { at: '08:30', dueWithinWorkingDays: 3 } }) };
}

async function quiet(promise: Promise<unknown>): Promise<number | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe('QuietHours');
  return (err as ApplicationFailure).nextRetryDelay as number | undefined;
}

const EDU = { personId: 'p-edu', unitId: 'dept-edu' };

test.each([
  ['a working evening', '2026-03-16T22:30:00+08:00'],
  ['an ordinary Saturday', '2026-03-21T10:00:00+08:00'],
  ['National Day', '2026-10-02T10:00:00+08:00'],
])('nothing reaches either robot on %s', async (_name, local) => {
  const a = activities(local);
  expect(await quiet(a.notify(request()))).toBeGreaterThan(0);
  expect(await quiet(a.notify(request({ assignee: EDU })))).toBeGreaterThan(0);
  expect(wecom.received).toHaveLength(0);
  expect(dingtalk.received).toHaveLength(0);
});

test('the retry is scheduled for 08:00 on the next working day', async () => {
  expect(await quiet(activities('2026-03-20T19:00:00+08:00').notify(request()))).toBe((13 + 48) * 3600_000);
});

test('an urgent duty reaches both robots at night', async () => {
  const a = activities('2026-03-16T22:30:00+08:00');
  expect(await a.notify(request({ urgent: true }))).toMatchObject([{ channel: 'wecom', result: 'sent' }]);
  expect(await a.notify(request({ assignee: EDU, urgent: true }))).toMatchObject([{ channel: 'dingtalk', result: 'sent' }]);
  expect(wecom.received.length).toBeGreaterThan(0);
  expect(dingtalk.received).toHaveLength(1);
});

test('a make-up working Saturday (2026-02-14) is working hours', async () => {
  expect(await activities('2026-02-14T10:00:00+08:00').notify(request())).toMatchObject([{ channel: 'wecom', result: 'sent' }]);
});

function digest(date: string): DigestRequest {
  const item = { taskId: 'task:village-report:2026-03:v-pine', dutyTitle: '村级月度报表', period: '2026-03', unitId: 'v-pine', dueOn: '2026-03-16', dueAt: '2026-03-16T10:00:00.000Z', overdue: false, escalationLevel: 0, provisional: false };
  return { digestId: digestId('p-pine-1', date), personId: 'p-pine-1', date, items: [item] };
}

test('the digest keeps quiet hours too, is never urgent, and is dropped once its day has passed', async () => {
  expect(await quiet(activities('2026-03-13T19:00:00+08:00').sendDigest(digest('2026-03-13')))).toBe((13 + 48) * 3600_000);
  expect(wecom.received).toHaveLength(0);
  // The retry lands on Monday: Friday's list is not sent beside Monday's.
  expect(await activities('2026-03-16T08:00:00+08:00').sendDigest(digest('2026-03-13'))).toMatchObject({ result: 'stale', items: 1 });
  expect(wecom.received).toHaveLength(0);
  expect(await activities('2026-03-16T08:30:00+08:00').sendDigest(digest('2026-03-16'))).toMatchObject({ channel: 'wecom', result: 'sent' });
  expect((wecom.received[0]?.body.markdown as { content: string }).content).toMatch(/^### 【每日待办汇总】2026-03-16 共1项\n/);
});

test('no digest is planned on a non-working day, without asking Temporal', async () => {
  expect(await activities('2026-10-03T08:30:00+08:00').planDigest()).toEqual({ date: '2026-10-03', workday: false, digests: [] });
});
