import { createHmac } from 'node:crypto';
import { DingTalkChannel } from '../../src/notify/dingtalk';
import { Notifier } from '../../src/notify/notifier';
import { RecordingChannel } from '../support/recordingChannel';
import { startRobotReceiver, type ReceivedRequest, type RobotReceiver } from './robotReceiver';
import { capturingLogger, request, robotTree } from './robotFixtures';

const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
const TOKEN = 'f00dfeed0123456789abcdef0123456789abcdef0123456789abcdef01234567';
const EDU = { personId: 'p-edu', unitId: 'dept-edu' };
let robot: RobotReceiver;

/** What DingTalk checks: the timestamp is within an hour, and sign = urlEncode(base64(HMAC-SHA256(secret, ts + "\n" + secret))). */
function verify(req: ReceivedRequest): Record<string, unknown> {
  const timestamp = Number(req.query.get('timestamp'));
  const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
  const fresh = Math.abs(Date.now() - timestamp) < 3600_000;
  return fresh && req.query.get('sign') === expected ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' };
}

beforeEach(async () => {
  robot = await startRobotReceiver();
  robot.judge = verify;
});
afterEach(async () => {
  await robot.close();
});

function setup(env: NodeJS.ProcessEnv, now?: () => number) {
  const outbox = new RecordingChannel();
  const { log, lines } = capturingLogger();
  const notifier = new Notifier({ outbox, dingtalk: new DingTalkChannel({ env, now, timeoutMs: 2000 }) }, 'outbox', log);
  return { outbox, notifier, lines };
}

const signedEnv = () => ({ TEST_DINGTALK_EDU: `${robot.url}/robot/send?access_token=${TOKEN}`, TEST_DINGTALK_EDU_SECRET: SECRET });

test('a signed markdown message that @-mentions the liaison by mobile', async () => {
  const { notifier, outbox, lines } = setup(signedEnv());
  const [record] = await notifier.notify(request({ assignee: EDU }), robotTree);
  expect(record).toMatchObject({ personId: 'p-edu', channel: 'dingtalk', result: 'sent' });
  expect(outbox.sent).toHaveLength(0);

  expect(robot.received).toHaveLength(1);
  const [req] = robot.received;
  expect(req?.path).toBe('/robot/send');
  expect(req?.query.get('access_token')).toBe(TOKEN);
  expect(req?.query.get('timestamp')).toMatch(/^\d{13}$/);
  // URL-encoded base64: no raw +, / or = survive in the query string.
  const rawSign = /(?:^|&)sign=([^&]*)/.exec(req?.rawQuery ?? '')?.[1] ?? '';
  expect(rawSign).not.toMatch(/[+/=]/);
  expect(decodeURIComponent(rawSign)).toMatch(/^[A-Za-z0-9+/]{43}=$/);

  const body = req?.body as { msgtype: string; markdown: { title: string; text: string }; at: { atMobiles: string[]; isAtAll: boolean } };
  expect(body.msgtype).toBe('markdown');
  expect(body.markdown.title).toBe('【待办提醒】村级月度报表(2026-03) 截止 2026-03-16');
  expect(body.markdown.text.split('\n')[0]).toBe('### 【待办提醒】村级月度报表(2026-03) 截止 2026-03-16');
  // DingTalk merges single newlines, so every line is its own paragraph.
  expect(body.markdown.text).toContain('联络员辛同志:您好!\n\n教育局承担的');
  expect(body.markdown.text.endsWith('\n\n@13800000002')).toBe(true);
  expect(body.at).toEqual({ atMobiles: ['13800000002'], isAtAll: false });

  const logged = lines.join('');
  expect(logged).not.toContain('13800000002');
  expect(logged).not.toContain(SECRET);
  expect(logged).not.toContain(TOKEN);
});

test('a wrong secret is refused by the robot and the notice goes to the outbox instead', async () => {
  const { notifier, outbox } = setup({ ...signedEnv(), TEST_DINGTALK_EDU_SECRET: 'SECwrong' });
  const [record] = await notifier.notify(request({ assignee: EDU }), robotTree);
  expect(record).toMatchObject({ channel: 'outbox', result: 'sent' });
  expect(record?.detail).toContain('钉钉机器人拒绝 (errcode 310000)');
  expect(outbox.sent).toHaveLength(1);
});

test('a clock more than an hour off fails the signature check', async () => {
  const { notifier } = setup(signedEnv(), () => Date.now() - 2 * 3600_000);
  const [record] = await notifier.notify(request({ assignee: EDU }), robotTree);
  expect(record?.detail).toContain('errcode 310000');
});

test('a signing robot whose secret variable is unset is skipped for the outbox', async () => {
  const { notifier, outbox } = setup({ TEST_DINGTALK_EDU: `${robot.url}/robot/send?access_token=${TOKEN}` });
  const [record] = await notifier.notify(request({ assignee: EDU }), robotTree);
  expect(record).toMatchObject({ channel: 'outbox', result: 'sent' });
  expect(outbox.sent).toHaveLength(1);
  expect(robot.received).toHaveLength(0);
});

test('"send too fast" is retried', async () => {
  const { notifier } = setup(signedEnv());
  robot.replies.push({ json: { errcode: 130101, errmsg: 'send too fast' } });
  await expect(notifier.notify(request({ assignee: EDU }), robotTree)).rejects.toThrow('钉钉机器人限流或繁忙 (errcode 130101)');
  const [record] = await notifier.notify(request({ assignee: EDU }), robotTree);
  expect(record).toMatchObject({ channel: 'dingtalk', result: 'sent' });
  expect(robot.received).toHaveLength(2);
});
