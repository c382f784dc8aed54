import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import pino from 'pino';
import { startRobotFake, type RobotFake } from '../../bench/lib/robotFake';
import { settings } from '../../src/config';
import { heraldMembersQuery, heraldWorkflowId } from '../../src/contracts/dutyNotices';
import { completeTaskUpdate, type TaskInput } from '../../src/contracts/dutyTask';
import { EmailChannel } from '../../src/notify/email';
import { OutboxChannel } from '../../src/notify/outbox';
import { WeComChannel } from '../../src/notify/wecom';
import { OrgTree } from '../../src/roster/orgTree';
import type { Duty, Occurrence, Roster } from '../../src/shared/types';
import { FileDeliveryLog } from '../../src/store/deliveries';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { taskInputFor } from '../../src/tasks/taskInput';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createDutyWorker } from '../../worker';
import { eventually } from '../support/cli';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { createDevServerEnv } from '../support/temporalEnv';

/**
 * 500 tasks of one occurrence due at one instant, held by three cadres of one village: two read mail, one the
 * village's WeCom group (its robot allows 20 messages a minute). Real dev server, real SMTP, the robot fake.
 */
const TASKS = 500;
const ROBOT_ENV = 'TEST_WECOM_SHARED';
const roster: Roster = {
  units: [
    { id: 'bureau', name: '乡村振兴局', kind: 'bureau', supervisors: ['p-lead'], tags: [] },
    { id: 't-1', name: '东镇', kind: 'township', parent: 'bureau', supervisors: ['p-sup'], tags: [] },
    { id: 'v-shared', name: '共村', kind: 'village', parent: 't-1', supervisors: ['p-sup'], tags: [], robots: { wecom: { webhookEnv: ROBOT_ENV } } },
  ],
  people: [
    { id: 'p-admin', name: '管理员', unit: 'bureau', roles: ['admin'], email: 'admin@example.org' },
    { id: 'p-lead', name: '局领导', unit: 'bureau', roles: ['supervisor'], email: 'lead@example.org' },
    { id: 'p-sup', name: '镇督查', unit: 't-1', roles: ['supervisor'], email: 'sup@example.org' },
    { id: 'p-a', name: '村干部甲', unit: 'v-shared', roles: ['cadre'], email: 'a@example.org', channel: 'email' },
    { id: 'p-b', name: '村干部乙', unit: 'v-shared', roles: ['cadre'], email: 'b@example.org', channel: 'email' },
    { id: 'p-c', name: '村干部丙', unit: 'v-shared', roles: ['cadre'], channel: 'wecom', mobile: '13900000003' },
  ],
};
const tree = new OrgTree(roster);
const duty: Duty = {
  id: 'herd-visit',
  title: '入户走访',
  description: '',
  source: 'test',
  recurrence: { kind: 'monthly' },
  assignTo: { unitKinds: ['village'], role: 'cadre', per: 'person' },
  opens: { atPeriodStart: true },
  deadline: { endOfPeriod: true },
  dueTime: '17:30',
  shift: 'none',
  reminders: { workingDaysBefore: [], onDueDay: false, sendAt: '09:00' },
  escalation: { levels: [{ afterWorkingDays: 0 }], repeatEveryWorkingDays: 0 },
  completion: { note: 'optional', fields: [] },
  urgent: false,
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-herd-'));
let env: TestWorkflowEnvironment;
let smtp: SmtpSink;
let robot: RobotFake;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'warn' }));
  [env, smtp, robot] = await Promise.all([createDevServerEnv(), startSmtpSink(), startRobotFake()]);
  const taskQueue = `herd-${Date.now()}`;
  worker = await createDutyWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: env.namespace ?? 'default',
    // Quiet hours off: the instant is whenever the test runs.
    settings: { ...settings(), taskQueue, dataDir: tmp, quietHours: false },
    logger: pino({ level: 'silent' }),
    roster: () => tree,
    channels: {
      email: new EmailChannel({ host: '127.0.0.1', port: smtp.port, secure: false, from: '职责提醒 <duty@example.org>' }),
      wecom: new WeComChannel({ env: { [ROBOT_ENV]: robot.url('shared') } }),
      outbox: new OutboxChannel(path.join(tmp, 'outbox')),
    },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), smtp?.close(), robot?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

/** One occurrence reminding at `at`, its tasks handed round the three cadres. */
function herd(at: Date): TaskInput[] {
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Asia/Shanghai' });
  const due = local(new Date(at.getTime() + 30 * 86_400_000));
  const occurrence: Occurrence = {
    dutyId: duty.id,
    period: 'h1',
    periodStart: local(at).toISODate() ?? '',
    periodEnd: due.toISODate() ?? '',
    opensOn: local(at).toISODate() ?? '',
    opensAt: local(at).startOf('day').toISO() ?? '',
    nominalDueOn: due.toISODate() ?? '',
    dueOn: due.toISODate() ?? '',
    dueAt: due.toISO() ?? '',
    reminders: [local(at).toISO() ?? ''],
    provisional: false,
  };
  const holders = ['p-a', 'p-b', 'p-c'];
  return Array.from({ length: TASKS }, (_, i) => {
    const input = taskInputFor(duty, occurrence, { personId: holders[i % 3] as string, unitId: 'v-shared' }, tree, { per: 'person' });
    return { ...input, taskId: `${input.taskId}:${String(i).padStart(3, '0')}` };
  });
}

const mailsTo = (address: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);
const linkOf = (taskId: string) => `/tasks/${encodeURIComponent(taskId)}`;

test('500 tasks due at one instant: one message per person, one robot group message, every task recorded, a task closed a second before left out', async () => {
  const at = new Date(Math.ceil((Date.now() + 25_000) / 1000) * 1000);
  const tasks = herd(at);
  await openTaskBatch(env.client, worker.options.taskQueue, tasks);
  const closed = tasks[0] as TaskInput;
  await new Promise((r) => setTimeout(r, Math.max(0, at.getTime() - 1000 - Date.now())));
  await env.client.workflow.getHandle(closed.taskId).executeUpdate(completeTaskUpdate, { args: [{ by: 'p-a', fields: {} }] });

  const herald = env.client.workflow.getHandle(heraldWorkflowId(closed));
  await eventually(() => herald.query(heraldMembersQuery), (s) => s.sent >= TASKS - 1, 120_000);

  // Each mail reader: one message, listing every one of their open tasks.
  for (const [person, address] of [['p-a', 'a@example.org'], ['p-b', 'b@example.org']] as const) {
    const mails = mailsTo(address);
    expect(mails).toHaveLength(1);
    const own = tasks.filter((t) => t.assignee.personId === person && t !== closed);
    for (const t of own) expect(mails[0]?.text).toContain(linkOf(t.taskId));
    expect(mails[0]?.subject).toContain(`共 ${own.length} 项`);
  }
  expect(smtp.messages).toHaveLength(2);
  expect(smtp.messages.some((m) => m.text?.includes(linkOf(closed.taskId)))).toBe(false);

  // The village robot: the group's list split only at WeCom's 4,096 bytes, then one text carrying the @mention.
  const posts = robot.accepted('shared');
  const markdown = posts.filter((p) => p.msgtype === 'markdown');
  const content = markdown.map((p) => (p.body.markdown as { content: string }).content);
  const groupTasks = tasks.filter((t) => t.assignee.personId === 'p-c');
  const listBytes = Buffer.byteLength(content.join(''));
  expect(markdown.length).toBe(Math.ceil(listBytes / 4096));
  for (const c of content.slice(0, -1)) expect(Buffer.byteLength(c)).toBeGreaterThan(4096 * 0.8);
  for (const t of groupTasks) expect(content.join('\n')).toContain(linkOf(t.taskId));
  expect(posts.flatMap((p) => p.mentions.mobiles)).toEqual(['13900000003']);
  expect(robot.refusals()).toEqual([]);
  expect(posts.length).toBeLessThanOrEqual(20);

  // Every open task's own record shows its notice: when, how, with what result and in which message.
  const log = new FileDeliveryLog(tmp);
  for (const t of tasks) {
    const records = (await log.forTask(t.taskId)).filter((d) => d.kind === 'reminder');
    if (t === closed) {
      expect(records).toEqual([]);
      continue;
    }
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ result: 'sent', channel: t.assignee.personId === 'p-c' ? 'wecom' : 'email', personId: t.assignee.personId });
    expect(Date.parse(records[0]?.plannedAt ?? '')).toBe(at.getTime());
    expect(Date.parse(records[0]?.sentAt ?? '')).toBeGreaterThanOrEqual(at.getTime());
    expect(records[0]?.messageId).toContain(`#${t.assignee.personId === 'p-c' ? `wecom:${ROBOT_ENV}` : t.assignee.personId}`);
  }
}, 240_000);
