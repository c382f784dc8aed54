import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ical, { type VEvent } from 'node-ical';
import pino from 'pino';
import type { DigestRequest } from '../../src/contracts/digest';
import type { NotifyRequest } from '../../src/contracts/dutyTask';
import { buildFeed } from '../../src/feeds/ics';
import type { OutgoingMessage } from '../../src/notify/channel';
import { DigestSender } from '../../src/notify/digestSender';
import { DingTalkChannel } from '../../src/notify/dingtalk';
import { EmailChannel } from '../../src/notify/email';
import { toHtml } from '../../src/notify/html';
import { toMarkdown } from '../../src/notify/markdown';
import { Notifier } from '../../src/notify/notifier';
import { OutboxChannel } from '../../src/notify/outbox';
import { WeComChannel } from '../../src/notify/wecom';
import { OrgTree } from '../../src/roster/orgTree';
import type { TaskSummary } from '../../src/tasks/query';
import { roster } from '../fixtures/org';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { RecordingChannel } from '../support/recordingChannel';
import { startRobotReceiver, type RobotReceiver } from './robotReceiver';
import { request, robotTree } from './robotFixtures';

/**
 * Notices told cadres to run `npm run duty -- task complete …`, which nobody can do from a phone. Every notice now
 * carries its task page (sign-in returns there) and says whom to ask for an account; mail is text plus HTML with a
 * button; each 督办 step notice reaches the people the step concerns, in their words.
 */
const BASE = 'https://duty.example.org';
const taskLink = (taskId: string) => `${BASE}/tasks/${encodeURIComponent(taskId)}`;
const PINE_TASK = 'task:village-report:2026-03:v-pine';
const PINE_LINK = `${BASE}/tasks/task%3Avillage-report%3A2026-03%3Av-pine`;
const HANDLE = `办理(签收、反馈、登记完成):${PINE_LINK}`;
const NO_ACCOUNT = '没有账号或忘记密码:请联系县(市)乡村振兴局的系统管理员(管理员甲)开通或重置。';
const tree = new OrgTree(roster);
const log = pino({ level: 'silent' });

function expectActionable(text: string, link = HANDLE): void {
  expect(text).toContain(link);
  expect(text).toContain(NO_ACCOUNT);
  expect(text).not.toMatch(/npm|--by|duty --/);
}

describe('every channel carries the task page and no command', () => {
  let smtp: SmtpSink;
  let robot: RobotReceiver;
  let outboxDir: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    outboxDir = mkdtempSync(path.join(os.tmpdir(), 'duty-links-'));
  });
  beforeEach(async () => {
    robot = await startRobotReceiver();
  });
  afterEach(() => robot.close());
  afterAll(async () => {
    await smtp.close();
    rmSync(outboxDir, { recursive: true, force: true });
  });

  test('mail is multipart: the text part, and an HTML part with the same words and a button to the task', async () => {
    const email = new EmailChannel({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTls: true, from: '职责提醒 <duty@example.org>' });
    const notifier = new Notifier({ email, outbox: new RecordingChannel() }, 'outbox', log, taskLink);
    try {
      const reason = { ...request({ kind: 'returned' }), step: { by: 'p-east-sup', reason: '缺少 <走访> 记录 & 照片' } };
      expect((await notifier.notify(reason, tree)).map((r) => [r.personId, r.channel, r.result])).toEqual([['p-pine-1', 'email', 'sent']]);
      const [mail] = await smtp.waitFor(1);
      expect(mail?.messageId).toBe('<task_village-report_2026-03_v-pine_returned-1_p-pine-1@duty-engine>');
      expect(mail?.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
      expectActionable(mail?.text ?? '');

      const html = typeof mail?.html === 'string' ? mail.html : '';
      expect(html).toMatch(new RegExp(`<a href="${PINE_LINK.replace(/[.?]/g, '\\$&')}" style="[^"<>]*display:inline-block[^"<>]*"[^>]*>打开任务</a>`));
      // The same content as the text part, escaped; styles inline only, for phone mail apps.
      expect(html).toContain('您登记完成的「村级月度报表(2026-03)」已被镇督查丁退回');
      expect(html).toContain('退回理由:缺少 &lt;走访&gt; 记录 &amp; 照片');
      expect(html).toContain('办理(签收、反馈、登记完成)');
      expect(html).toContain(NO_ACCOUNT);
      expect(html).toContain('<meta name="viewport"');
      expect(html).not.toMatch(/<style|<script|class=/);
      expect(html).not.toContain('npm');
    } finally {
      email.close();
    }
  });

  test('the outbox file holds the link in its text', async () => {
    const notifier = new Notifier({ outbox: new OutboxChannel(outboxDir) }, 'outbox', log, taskLink);
    await notifier.notify(request(), tree);
    const [file] = readdirSync(outboxDir);
    const written = JSON.parse(readFileSync(path.join(outboxDir, file ?? ''), 'utf8')) as OutgoingMessage;
    expectActionable(written.text);
    expect(written.links).toEqual([PINE_LINK]);
  });

  test('WeCom and DingTalk robots get the link as a markdown link', async () => {
    const env = { TEST_WECOM_EAST: `${robot.url}/wecom`, TEST_DINGTALK_EDU: `${robot.url}/dingtalk`, TEST_DINGTALK_EDU_SECRET: 'SECtest' };
    const outbox = new RecordingChannel();
    const notifier = new Notifier({ outbox, wecom: new WeComChannel({ env, timeoutMs: 2000 }), dingtalk: new DingTalkChannel({ env, timeoutMs: 2000 }) }, 'outbox', log, taskLink);
    await notifier.notify(request(), robotTree);
    await notifier.notify(request({ kind: 'overdue', level: 1, assignee: { personId: 'p-edu', unitId: 'dept-edu' } }), robotTree);
    expect(outbox.sent.map((m) => m.personId)).toEqual(['p-bureau-sup']);

    const wecom = robot.received.find((r) => r.path === '/wecom' && r.body.msgtype === 'markdown')?.body.markdown as { content: string };
    expect(wecom.content).toContain(`[办理(签收、反馈、登记完成)](${PINE_LINK})`);
    expect(wecom.content).toContain(NO_ACCOUNT);
    expect(wecom.content).not.toContain('npm');
    const dingtalk = robot.received.find((r) => r.path === '/dingtalk')?.body.markdown as { text: string };
    expect(dingtalk.text).toContain(`[办理(签收、反馈、登记完成)](${BASE}/tasks/task%3Avillage-report%3A2026-03%3Adept-edu)`);
    expect(dingtalk.text).not.toContain('npm');
    // The supervisor without a robot hears on the fallback, with a link to look at the task.
    expectActionable(outbox.sent[0]?.text ?? '', `查看任务:${BASE}/tasks/task%3Avillage-report%3A2026-03%3Adept-edu`);
  });

  test('the daily digest links every task, on every channel', async () => {
    const digest: DigestRequest = {
      digestId: 'digest:p-pine-1:2026-03-16',
      personId: 'p-pine-1',
      date: '2026-03-16',
      items: [PINE_TASK, 'task:sweep:2026-03:v-pine'].map((taskId, i) => ({
        taskId,
        dutyTitle: `职责${i}`,
        period: '2026-03',
        unitId: 'v-pine',
        dueOn: '2026-03-16',
        dueAt: '2026-03-16T10:00:00.000Z',
        overdue: i === 1,
        escalationLevel: 0,
        provisional: false,
      })),
    };
    const email = new EmailChannel({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTls: true, from: 'duty@example.org' });
    const env = { TEST_WECOM_EAST: `${robot.url}/wecom` };
    try {
      const before = smtp.messages.length;
      expect(await new DigestSender({ email, outbox: new RecordingChannel() }, 'outbox', log, taskLink).send(digest, tree)).toMatchObject({ channel: 'email', result: 'sent' });
      const [mail] = (await smtp.waitFor(before + 1)).slice(before);
      const sweep = `${BASE}/tasks/task%3Asweep%3A2026-03%3Av-pine`;
      expect(mail?.text).toContain(`1. 【今天截止】职责0(2026-03) 截止 2026-03-16\n   任务编号:${PINE_TASK}\n   ${HANDLE}`);
      expect(mail?.text).toContain(`   办理(签收、反馈、登记完成):${sweep}`);
      expect(mail?.text).toContain(NO_ACCOUNT);
      expect(mail?.text).not.toContain('npm');
      expect(mail?.html).toContain(`<a href="${PINE_LINK}"`);
      expect(mail?.html).toContain(`<a href="${sweep}"`);

      await new DigestSender({ wecom: new WeComChannel({ env, timeoutMs: 2000 }), outbox: new RecordingChannel() }, 'outbox', log, taskLink).send(digest, robotTree);
      const markdown = (robot.received[0]?.body.markdown as { content: string }).content;
      expect(markdown).toContain(`[办理(签收、反馈、登记完成)](${PINE_LINK})`);
      expect(markdown).toContain(`[办理(签收、反馈、登记完成)](${sweep})`);
      expect(markdown).not.toContain('npm');
    } finally {
      email.close();
    }
  });
});

test('a calendar event links to its task page, in its URL and its description', () => {
  const task: TaskSummary = {
    taskId: PINE_TASK,
    dutyId: 'village-report',
    dutyTitle: '村级月度报表',
    period: '2026-03',
    assignee: 'p-pine-1',
    unit: 'v-pine',
    status: 'open',
    dueOn: '2026-03-16',
    dueAt: new Date('2026-03-16T18:00:00+08:00'),
    escalationLevel: 0,
    provisional: false,
  } as TaskSummary;
  const feed = buildFeed({ person: { id: 'p-pine-1', name: '村干部戊' }, tasks: [task], unitName: (id) => tree.unit(id).name, now: new Date('2026-03-12T10:00:00+08:00'), publicUrl: BASE });
  const [event] = Object.values(ical.sync.parseICS(feed)).filter((c): c is VEvent => c?.type === 'VEVENT');
  const url = (event as unknown as { url?: string | { val: string } }).url;
  expect(typeof url === 'object' ? url.val : url).toBe(PINE_LINK);
  expect(event?.description).toContain(HANDLE);
  expect(event?.description).toContain('没有账号或忘记密码:请联系县(市)乡村振兴局的系统管理员开通或重置。');
  expect(feed).not.toContain('npm');
});

describe('step notices (督办 steps) reach the people the step concerns, in their words', () => {
  const LATE = '2026-03-18T10:00:00.000+08:00';
  const cases: { name: string; req: NotifyRequest; to: string[]; subject: string; words: string[]; link?: string }[] = [
    {
      name: 'not acknowledged in time: the unit’s own supervisors, not the assignee',
      req: { ...request({ kind: 'unacknowledged' }), step: { by: 'system', acknowledgeWithinHours: 8 } },
      to: ['p-east-sup'],
      subject: '【待签收提醒】村级月度报表(2026-03) 松村未签收',
      words: ['松村(承办人:村干部戊)的任务「村级月度报表(2026-03)」开启后 8 个工作小时内未签收,截止日期为 2026-03-16', '请督促及时签收办理'],
      link: `查看任务:${PINE_LINK}`,
    },
    {
      name: 'extension asked: the supervisors, with who asked, the date asked for and why',
      req: { ...request({ kind: 'extensionRequested' }), step: { by: 'p-pine-1', reason: '连日暴雨,入户走访未完成', requestedDueOn: '2026-03-20' } },
      to: ['p-east-sup'],
      subject: '【延期申请】村级月度报表(2026-03) 申请延至 2026-03-20',
      words: ['村干部戊(松村)申请将「村级月度报表(2026-03)」的截止日期由 2026-03-16 延至 2026-03-20', '理由:连日暴雨,入户走访未完成', '请审批'],
      link: `审批延期:${PINE_LINK}`,
    },
    {
      name: 'extension approved: the assignee, with the old and new deadline',
      req: { ...request({ kind: 'extensionApproved' }), task: { ...request().task, dueOn: '2026-03-20', dueAt: '2026-03-20T18:00:00.000+08:00' }, step: { by: 'p-east-sup', previousDueOn: '2026-03-16' } },
      to: ['p-pine-1'],
      subject: '【延期已批准】村级月度报表(2026-03) 新截止 2026-03-20',
      words: ['您申请的「村级月度报表(2026-03)」延期已获批准(审批人:镇督查丁),截止日期由 2026-03-16 改为 2026-03-20'],
    },
    {
      name: 'extension refused: the assignee, with the reason and the deadline passed',
      req: { ...request({ kind: 'extensionRejected' }), plannedAt: LATE, step: { by: 'p-east-sup', reason: '时间充足,不予延期' } },
      to: ['p-pine-1'],
      subject: '【延期未批准】村级月度报表(2026-03) 截止 2026-03-16',
      words: ['延期未获批准(审批人:镇督查丁)', '理由:时间充足,不予延期', '已于 2026-03-16 到期,已逾期 2 天,请抓紧办理'],
    },
    {
      name: 'completion to review: the supervisors',
      req: { ...request({ kind: 'reviewRequested' }), step: { by: 'p-pine-1' } },
      to: ['p-east-sup'],
      subject: '【待审核】村级月度报表(2026-03) 松村已登记完成',
      words: ['村干部戊(松村)已登记完成「村级月度报表(2026-03)」,请审核'],
      link: `审核:${PINE_LINK}`,
    },
    {
      name: 'returned: the assignee, with the reason and the deadline',
      req: { ...request({ kind: 'returned' }), step: { by: 'p-east-sup', reason: '缺少走访记录' } },
      to: ['p-pine-1'],
      subject: '【已退回】村级月度报表(2026-03) 截止 2026-03-16',
      words: ['已被镇督查丁退回,请按要求修改后重新登记', '退回理由:缺少走访记录', '截止日期为 2026-03-16'],
    },
    {
      name: 'reassigned: the new assignee only, with the reason and the overdue state',
      req: {
        ...request({ kind: 'reassigned', assignee: { personId: 'p-pine-2', unitId: 'v-pine' } }),
        plannedAt: LATE,
        step: { by: 'p-east-sup', reason: '原承办人外出学习', previousAssignee: 'p-pine-1' },
      },
      to: ['p-pine-2'],
      subject: '【转办】村级月度报表(2026-03) 截止 2026-03-16',
      words: ['村干部己同志', '此任务已转办给您', '转办人:镇督查丁,原承办人:村干部戊', '转办理由:原承办人外出学习', '已于 2026-03-16 到期,已逾期 2 天'],
    },
    {
      name: 'handed over: the previous assignee only',
      req: {
        ...request({ kind: 'handedOver', assignee: { personId: 'p-pine-2', unitId: 'v-pine' } }),
        step: { by: 'p-east-sup', reason: '原承办人外出学习', previousAssignee: 'p-pine-1' },
      },
      to: ['p-pine-1'],
      subject: '【已转交】村级月度报表(2026-03)',
      words: ['村干部戊同志', '此任务已转交他人办理', '现由松村的村干部己承办', '您无需再办理此任务'],
      link: `查看任务:${PINE_LINK}`,
    },
  ];

  test.each(cases)('$name', async ({ req, to, subject, words, link }) => {
    const outbox = new RecordingChannel();
    const notifier = new Notifier({ outbox }, 'outbox', log, taskLink);
    const records = await notifier.notify(req, tree);
    expect(records.map((r) => [r.personId, r.kind, r.result])).toEqual(to.map((id) => [id, req.kind, 'sent']));
    expect(outbox.sent.map((m) => m.personId)).toEqual(to);
    for (const message of outbox.sent) {
      expect(message.subject).toBe(subject);
      for (const w of words) expect(message.text).toContain(w);
      expectActionable(message.text, link ?? HANDLE);
    }
  });

  test('a unit without supervisors of its own, or whose only supervisor is the one asking, goes one level up', async () => {
    const outbox = new RecordingChannel();
    const notifier = new Notifier({ outbox }, 'outbox', log, taskLink);
    const bare = new OrgTree({ ...roster, units: roster.units.map((u) => (u.id === 'v-pine' ? { ...u, supervisors: [] } : u)) });
    const asked = { ...request({ kind: 'extensionRequested' }), step: { by: 'p-pine-1', requestedDueOn: '2026-03-20' } };
    expect((await notifier.notify(asked, bare)).map((r) => r.personId)).toEqual(['p-bureau-sup']);
    const bySupervisor = { ...request({ kind: 'reviewRequested' }), notificationId: 'review-by-supervisor', step: { by: 'p-east-sup' } };
    expect((await notifier.notify(bySupervisor, tree)).map((r) => r.personId)).toEqual(['p-bureau-sup']);
  });

  test('a digest reader still hears of a step at once: the digest lists deadlines, not decisions', async () => {
    const outbox = new RecordingChannel();
    const notifier = new Notifier({ outbox }, 'outbox', log, taskLink);
    const digestReader = new OrgTree({ ...roster, people: roster.people.map((p) => (p.id === 'p-pine-1' ? { ...p, delivery: 'digest' as const } : p)) });
    const returned = { ...request({ kind: 'returned' }), step: { by: 'p-east-sup', reason: '缺少走访记录' } };
    expect(await notifier.notify(returned, digestReader)).toEqual([expect.objectContaining({ personId: 'p-pine-1', result: 'sent' })]);
  });

  test('a reason cannot add a link, a button or a line of its own', async () => {
    const email = new RecordingChannel();
    const notifier = new Notifier({ outbox: email }, 'outbox', log, taskLink);
    const reason = '见[说明](https://evil.example/a) <font color="info">急</font>\n办理(签收、反馈、登记完成):https://evil.example/tasks/x';
    await notifier.notify({ ...request({ kind: 'extensionRequested' }), step: { by: 'p-pine-1', reason, requestedDueOn: '2026-03-20' } }, tree);
    const [message] = email.sent;
    expect(message?.links).toEqual([PINE_LINK]);
    const line = message?.text.split('\n').find((l) => l.startsWith('理由:'));
    expect(line).toBe('理由:见[说明](https://evil.example/a) <font color="info">急</font> 办理(签收、反馈、登记完成):https://evil.example/tasks/x');

    const markdown = toMarkdown(message?.subject ?? '', message?.text ?? '', { paragraphs: false, links: message?.links });
    expect(markdown).not.toMatch(/\]\(https:\/\/evil|<font/);
    expect(markdown).toContain(`[审批延期](${PINE_LINK})`);
    const html = toHtml(message?.subject ?? '', message?.text ?? '', message?.links);
    expect(html).not.toMatch(/href="https:\/\/evil|<font/);
    expect(html.match(/<a /g)).toHaveLength(1);
  });
});
