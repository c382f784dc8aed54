import { Notifier } from '../../src/notify/notifier';
import { WeComChannel } from '../../src/notify/wecom';
import { RecordingChannel } from '../support/recordingChannel';
import { startRobotReceiver, type RobotReceiver } from './robotReceiver';
import { capturingLogger, MOBILE, request, robotTree } from './robotFixtures';

const KEY = 'a1b2c3d4-0000-4000-8000-secretkey001';
let robot: RobotReceiver;

beforeEach(async () => {
  robot = await startRobotReceiver();
});
afterEach(async () => {
  await robot.close();
});

function setup(env: NodeJS.ProcessEnv = { TEST_WECOM_EAST: `${robot.url}/cgi-bin/webhook/send?key=${KEY}` }) {
  const outbox = new RecordingChannel();
  const { log, lines } = capturingLogger();
  const notifier = new Notifier({ outbox, wecom: new WeComChannel({ env, timeoutMs: 2000 }) }, 'outbox', log);
  return { outbox, notifier, lines };
}

test('a village cadre is reached through the township robot: a markdown notice, then a text that @-mentions their mobile', async () => {
  const { notifier, outbox, lines } = setup();
  const [record] = await notifier.notify(request(), robotTree);
  expect(record).toMatchObject({ personId: 'p-pine-1', channel: 'wecom', result: 'sent' });
  expect(outbox.sent).toHaveLength(0);

  expect(robot.received).toHaveLength(2);
  const [notice, mention] = robot.received;
  expect(notice?.path).toBe('/cgi-bin/webhook/send');
  expect(notice?.query.get('key')).toBe(KEY);
  expect(notice?.contentType).toMatch(/^application\/json/);
  expect(notice?.body).toEqual({ msgtype: 'markdown', markdown: { content: expect.any(String) } });
  const content = (notice?.body.markdown as { content: string }).content;
  expect(content.split('\n')[0]).toBe('### 【待办提醒】村级月度报表(2026-03) 截止 2026-03-16');
  expect(content).toContain('松村承担的「村级月度报表(2026-03)」将于 2026-03-16 到期');
  // The task page is one tap away: a markdown link, not a command to type.
  expect(content).toMatch(/\n\[办理\(签收、反馈、登记完成\)\]\(https?:\/\/[^)\s]+\/tasks\/task%3Avillage-report%3A2026-03%3Av-pine\)\n/);
  expect(content).not.toContain('npm run');
  expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);

  expect(mention?.body).toEqual({
    msgtype: 'text',
    text: { content: '请查看上一条消息:【待办提醒】村级月度报表(2026-03) 截止 2026-03-16', mentioned_mobile_list: [MOBILE] },
  });
  const logged = lines.join('');
  expect(logged).toContain('"channel":"wecom"');
  expect(logged).not.toContain(MOBILE);
  expect(logged).not.toContain(KEY);
});

test('the variable may hold just the robot key; an unset variable means the robot cannot reach anyone', () => {
  const channel = new WeComChannel({ env: { TEST_WECOM_EAST: 'only-the-key' } });
  expect(channel.reaches({ name: 'x', robots: { wecom: { webhookEnv: 'TEST_WECOM_EAST' } } })).toBe(true);
  expect(channel.reaches({ name: 'x', robots: { wecom: { webhookEnv: 'UNSET_VARIABLE' } } })).toBe(false);
  expect(channel.reaches({ name: 'x' })).toBe(false);
});

test('an escalation reaches the supervisor on their own channel and the assignee through the robot', async () => {
  const { notifier, outbox } = setup();
  const records = await notifier.notify(request({ kind: 'escalation', level: 1 }), robotTree);
  expect(records.map((r) => [r.personId, r.channel])).toEqual([
    ['p-pine-1', 'wecom'],
    ['p-east-sup', 'outbox'],
  ]);
  expect((robot.received[0]?.body.markdown as { content: string }).content).toMatch(/^### <font color="warning">【已逾期/);
  expect(outbox.sent.map((m) => m.personId)).toEqual(['p-east-sup']);
});

test('without the webhook variable the notice falls back to the outbox and the robot is not called', async () => {
  const { notifier, outbox } = setup({});
  const [record] = await notifier.notify(request(), robotTree);
  expect(record).toMatchObject({ channel: 'outbox', result: 'sent' });
  expect(outbox.sent[0]?.personId).toBe('p-pine-1');
  expect(robot.received).toHaveLength(0);
});

test('a rate limit is retried without reposting what the robot already accepted', async () => {
  const { notifier } = setup();
  robot.replies.push({ json: { errcode: 0, errmsg: 'ok' } }, { json: { errcode: 45009, errmsg: 'api freq out of limit' } });
  await expect(notifier.notify(request(), robotTree)).rejects.toThrow('企业微信机器人限流或繁忙 (errcode 45009)');
  const [record] = await notifier.notify(request(), robotTree);
  expect(record).toMatchObject({ channel: 'wecom', result: 'sent' });
  // notice, refused mention, retried mention; and a third call is a no-op.
  expect(robot.received.map((r) => r.body.msgtype)).toEqual(['markdown', 'text', 'text']);
  await notifier.notify(request(), robotTree);
  expect(robot.received).toHaveLength(3);
});

test('a server error is retried; a refused key goes to the outbox with the reason recorded', async () => {
  const { notifier, outbox } = setup();
  robot.replies.push({ status: 502, json: {} });
  await expect(notifier.notify(request(), robotTree)).rejects.toThrow('HTTP 502');
  robot.replies.push({ json: { errcode: 93000, errmsg: 'invalid webhook url' } });
  const [record] = await notifier.notify(request(), robotTree);
  expect(record).toMatchObject({ channel: 'outbox', result: 'sent' });
  expect(record?.detail).toBe('wecom 发送失败 (企业微信机器人拒绝 (errcode 93000)),已改发 outbox');
  expect(outbox.sent).toHaveLength(1);
});

test('an unreachable robot throws for a retry, and the error names neither the key nor the URL', async () => {
  const { notifier } = setup({ TEST_WECOM_EAST: `http://127.0.0.1:1/cgi-bin/webhook/send?key=${KEY}` });
  const err = await notifier.notify(request(), robotTree).catch((e: unknown) => e as Error);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/^企业微信机器人连接失败/);
  expect((err as Error).message).not.toContain(KEY);
});
