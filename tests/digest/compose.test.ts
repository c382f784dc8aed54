import pino from 'pino';
import { composeDigest, digestItems } from '../../src/notify/digest';
import { digestConfigFromEnv } from '../../src/config';
import { Notifier } from '../../src/notify/notifier';
import { OrgTree } from '../../src/roster/orgTree';
import type { TaskSummary } from '../../src/tasks/query';
import { roster } from '../fixtures/org';
import { request } from '../notify/robotFixtures';
import { RecordingChannel } from '../support/recordingChannel';

function task(id: string, dueOn: string, status: TaskSummary['status'] = 'open', extra: Partial<TaskSummary> = {}): TaskSummary {
  return {
    taskId: `task:${id}`,
    dutyId: id,
    dutyTitle: `职责${id}`,
    period: '2026-03',
    assignee: 'p-pine-1',
    unit: 'v-pine',
    status,
    dueOn,
    dueAt: new Date(`${dueOn}T18:00:00+08:00`),
    escalationLevel: 0,
    provisional: false,
    flags: [],
    extensions: 0,
    returns: 0,
    ...extra,
  };
}

const now = new Date('2026-03-16T08:30:00+08:00');

test('a digest lists overdue tasks first, then those due by the horizon, soonest first', () => {
  const items = digestItems(
    [task('later', '2026-03-30'), task('soon', '2026-03-19'), task('today', '2026-03-16'), task('late', '2026-03-10', 'overdue', { escalationLevel: 2 }), task('done', '2026-03-17', 'done')],
    now,
    '2026-03-19',
  );
  expect(items.map((i) => [i.taskId, i.overdue])).toEqual([
    ['task:late', true],
    ['task:today', false],
    ['task:soon', false],
  ]);
});

test('the digest text is Chinese and tells days left or overdue for each task', () => {
  const items = digestItems([task('a', '2026-03-12', 'overdue'), task('b', '2026-03-16'), task('c', '2026-03-18', 'open', { phaseTitle: '中期检查', provisional: true })], now, '2026-03-19');
  const { subject, text } = composeDigest({ digestId: 'digest:p-pine-1:2026-03-16', personId: 'p-pine-1', date: '2026-03-16', items }, { name: '村干部戊' }, { taskLink: (id) => `https://duty.example.org/tasks/${encodeURIComponent(id)}`, adminNames: ['管理员甲'] });
  expect(subject).toBe('【每日待办汇总】2026-03-16 共3项(已逾期1项)');
  expect(text).toContain('村干部戊同志:您好!');
  expect(text).toContain('1. 【已逾期4天】职责a(2026-03) 截止 2026-03-12\n   任务编号:task:a');
  expect(text).toContain('2. 【今天截止】职责b(2026-03) 截止 2026-03-16');
  expect(text).toContain('3. 【还剩2天】职责c·中期检查(2026-03) 截止 2026-03-18(暂定)');
});

test('a digest person’s own notices are folded into the digest, unless the duty is urgent; their supervisors still hear at once', async () => {
  const tree = new OrgTree({ ...roster, people: roster.people.map((p) => (p.id === 'p-pine-1' ? { ...p, delivery: 'digest' as const } : p)) });
  const outbox = new RecordingChannel();
  const notifier = new Notifier({ outbox }, 'outbox', pino({ level: 'silent' }));
  expect(await notifier.notify(request(), tree)).toEqual([expect.objectContaining({ personId: 'p-pine-1', channel: 'none', result: 'digest' })]);
  const overdue = await notifier.notify(request({ kind: 'overdue', level: 1 }), tree);
  expect(overdue.map((r) => [r.personId, r.result])).toEqual([
    ['p-pine-1', 'digest'],
    ['p-east-sup', 'sent'],
  ]);
  expect(await notifier.notify({ ...request({ urgent: true }), notificationId: 'urgent-1' }, tree)).toEqual([expect.objectContaining({ result: 'sent' })]);
  expect(outbox.sent.map((m) => m.personId)).toEqual(['p-east-sup', 'p-pine-1']);
});

test('digest settings come from the environment and must be inside working hours', () => {
  expect(digestConfigFromEnv({})).toEqual({ at: '08:30', dueWithinWorkingDays: 3 });
  expect(digestConfigFromEnv({ DUTY_DIGEST_AT: '09:15', DUTY_DIGEST_DUE_WITHIN: '5' })).toEqual({ at: '09:15', dueWithinWorkingDays: 5 });
  expect(() => digestConfigFromEnv({ DUTY_DIGEST_AT: '07:00' })).toThrow('DUTY_DIGEST_AT 必须是工作时间 08:00–18:00 内的 HH:mm');
  expect(() => digestConfigFromEnv({ DUTY_DIGEST_DUE_WITHIN: 'x' })).toThrow('DUTY_DIGEST_DUE_WITHIN 必须是 0–30 的整数');
});
