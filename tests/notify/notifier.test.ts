import pino from 'pino';
import { Notifier } from '../../src/notify/notifier';
import { OrgTree } from '../../src/roster/orgTree';
import type { NotifyRequest } from '../../src/contracts/dutyTask';
import { roster } from '../fixtures/org';
import { RecordingChannel } from '../support/recordingChannel';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';

const tree = new OrgTree(roster);
const log = pino({ level: 'silent' });

function request(kind: NotifyRequest['kind'], level: number, seq = 1): NotifyRequest {
  return {
    notificationId: `task:village-report:2026-03:v-pine/${kind}-${seq}`,
    kind,
    level,
    plannedAt: '2026-03-20T09:00:00.000+08:00',
    urgent: false,
    task: {
      taskId: 'task:village-report:2026-03:v-pine',
      dutyId: 'village-report',
      dutyTitle: '村级月度报表',
      period: '2026-03',
      dueOn: '2026-03-16',
      dueAt: '2026-03-16T18:00:00.000+08:00',
      provisional: false,
      assignee: { personId: 'p-pine-1', unitId: 'v-pine' },
      requiredFields: [{ key: 'householdsVisited', label: '走访户数' }],
    },
  };
}

class FlakyEmail implements NotificationChannel {
  readonly name = 'email' as const;
  failures = 1;
  readonly sent: OutgoingMessage[] = [];
  async send(message: OutgoingMessage): Promise<ChannelResult> {
    if (message.personId === 'p-east-sup' && this.failures-- > 0) throw new Error('421 service not available');
    this.sent.push(message);
    return { result: 'sent' };
  }
}

test('a reminder goes to the assignee only; level k also goes to the supervisors k-1 steps up', async () => {
  const outbox = new RecordingChannel();
  const notifier = new Notifier({ outbox }, 'outbox', log);
  expect((await notifier.notify(request('reminder', 0), tree)).map((r) => r.personId)).toEqual(['p-pine-1']);
  expect((await notifier.notify(request('overdue', 1), tree)).map((r) => r.personId)).toEqual(['p-pine-1', 'p-east-sup']);
  expect((await notifier.notify(request('escalation', 2), tree)).map((r) => r.personId)).toEqual(['p-pine-1', 'p-bureau-sup']);
  expect((await notifier.notify(request('escalation', 3), tree)).map((r) => r.personId)).toEqual(['p-pine-1', 'p-director']);
});

test('a retried notification is not sent again to those who already got it', async () => {
  const email = new FlakyEmail();
  const notifier = new Notifier({ email, outbox: new RecordingChannel() }, 'outbox', log);
  await expect(notifier.notify(request('overdue', 1), tree)).rejects.toThrow('421');
  const records = await notifier.notify(request('overdue', 1), tree);
  expect(records.map((r) => [r.personId, r.result])).toEqual([
    ['p-pine-1', 'sent'],
    ['p-east-sup', 'sent'],
  ]);
  expect(email.sent.map((m) => m.personId)).toEqual(['p-pine-1', 'p-east-sup']);
  expect(email.sent[0]?.id).toBe('task:village-report:2026-03:v-pine/overdue-1#p-pine-1');
});

test('people without a configured channel fall back to the outbox', async () => {
  const outbox = new RecordingChannel();
  const notifier = new Notifier({ outbox }, 'outbox', log);
  const [record] = await notifier.notify(request('reminder', 0), tree);
  expect(record).toMatchObject({ channel: 'outbox', result: 'sent' });
  expect(outbox.sent[0]?.to).toEqual({ name: '村干部戊', email: 'pine1@example.org', chatId: undefined });
});

test('messages are Chinese, name the duty, period and deadline, and link to the task page', async () => {
  const outbox = new RecordingChannel();
  const notifier = new Notifier({ outbox }, 'outbox', log, (id) => `https://duty.example.org/tasks/${encodeURIComponent(id)}`);
  await notifier.notify(request('reminder', 0), tree);
  await notifier.notify(request('repeat', 1, 2), tree);
  await notifier.notify(request('escalation', 2, 3), tree);
  const [reminder, repeat, , escalation, supervisor] = outbox.sent;
  expect(reminder?.subject).toBe('【待办提醒】村级月度报表(2026-03) 截止 2026-03-16');
  expect(reminder?.text).toContain('村干部戊同志:您好!');
  expect(reminder?.text).toContain('松村承担的「村级月度报表(2026-03)」将于 2026-03-16 到期');
  expect(reminder?.text).toContain('办理(签收、反馈、登记完成):https://duty.example.org/tasks/task%3Avillage-report%3A2026-03%3Av-pine');
  expect(repeat?.subject).toBe('【逾期催办·4天】村级月度报表(2026-03) 原定截止 2026-03-16');
  expect(escalation?.subject).toBe('【二级督办·逾期4天】村级月度报表(2026-03) 原定截止 2026-03-16');
  expect(supervisor?.text).toContain('您督查范围内,松村承担的「村级月度报表(2026-03)」已于 2026-03-16 到期仍未完成(逾期 4 天,二级督办)');
  expect(supervisor?.text).toContain('查看任务:https://duty.example.org/tasks/task%3Avillage-report%3A2026-03%3Av-pine');
  expect(outbox.sent.map((m) => m.text).join('\n')).not.toContain('npm run');
});
