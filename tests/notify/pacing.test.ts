import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRobotFake, type RobotFake } from '../../bench/lib/robotFake';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';
import { DingTalkChannel } from '../../src/notify/dingtalk';
import { paceChannels, RateGate, RateLimitedError, slotStarts, type Rate } from '../../src/notify/pacing';
import { SendLedger } from '../../src/notify/sendLedger';
import { WeComChannel } from '../../src/notify/wecom';
import { startRobotReceiver } from './robotReceiver';

const MINUTE: Rate = { count: 20, perMs: 60_000 };

/** The most starts in any window of `perMs` ending at a start: the count a robot keeping a rolling window sees. */
function busiestWindow(times: number[], perMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u > t - perMs && u <= t).length));
}

function notice(i: number, webhookEnv: string): OutgoingMessage {
  return { id: `n-${webhookEnv}-${i}`, notificationId: `n-${i}`, personId: 'p', to: { name: '东岭镇', robots: { wecom: { webhookEnv } } }, subject: `【待办提醒】第 ${i} 条`, text: '请按期办理。' };
}

test('with the vendors’ default of 20 a minute, 45 sends go 20 at once, 20 a minute later, then 5', () => {
  const starts = slotStarts([], Array<number>(45).fill(1), MINUTE, 0);
  expect(starts.filter((s) => s === 0)).toHaveLength(20);
  expect(starts.filter((s) => s === 60_000)).toHaveLength(20);
  expect(starts.slice(40)).toEqual(Array(5).fill(120_000));
  expect(busiestWindow(starts, 60_000)).toBe(20);
  // A group message with its mention text takes two requests, and both wait for room together.
  expect(slotStarts(Array<number>(19).fill(0), [2], MINUTE, 1_000)).toEqual([60_000]);
});

describe('a WeCom robot under pacing', () => {
  let robot: RobotFake;
  afterEach(async () => {
    await robot.close();
  });

  test('45 messages to one robot: all delivered, 0 refusals, never more than 20 in any window', async () => {
    const rate: Rate = { count: 20, perMs: 3_000 };
    robot = await startRobotFake({ perWindow: rate.count, windowMs: rate.perMs });
    const gate = new RateGate(rate, { label: '企业微信机器人', maxWaitMs: 10_000 });
    const channel = gate.guard(new WeComChannel({ env: { W_EAST: robot.url('east') } }));
    const results = await Promise.all(Array.from({ length: 45 }, (_, i) => channel.send(notice(i, 'W_EAST'))));
    expect(results.every((r) => r.result === 'sent')).toBe(true);
    expect(robot.refusals()).toEqual([]);
    const times = robot.accepted('east').map((m) => m.at);
    expect(times).toHaveLength(45);
    expect(busiestWindow(times, rate.perMs)).toBeLessThanOrEqual(20);
    // Paced, not slowed: the last third goes out two windows after the first.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThan(3 * rate.perMs);
  });

  test('a 45009 holds off that robot only; the other robot keeps sending', async () => {
    // The east robot is also fed by someone else, so WeCom refuses it early.
    robot = await startRobotFake({ perWindow: 2 });
    const gate = new RateGate(MINUTE, { label: '企业微信机器人' });
    const channel = gate.guard(new WeComChannel({ env: { W_EAST: robot.url('east'), W_WEST: robot.url('west') } }));
    await channel.send(notice(1, 'W_EAST'));
    await channel.send(notice(2, 'W_EAST'));
    await expect(channel.send(notice(3, 'W_EAST'))).rejects.toThrow('企业微信机器人限流或繁忙 (errcode 45009)');
    // Held off for the minute, beyond the wait a send may spend: refused here without asking the robot again.
    const started = Date.now();
    await expect(channel.send(notice(4, 'W_EAST'))).rejects.toThrow(/^企业微信机器人被限流,暂停发送,需等待约 60 秒/);
    expect(Date.now() - started).toBeLessThan(1_000);
    await channel.send(notice(1, 'W_WEST'));
    await channel.send(notice(2, 'W_WEST'));
    expect(robot.refusals().map((r) => [r.key, r.errcode])).toEqual([['east', 45009]]);
    expect(robot.accepted('east')).toHaveLength(2);
    expect(robot.accepted('west')).toHaveLength(2);
  });

  test('behind the send ledger, one robot waiting for its slot does not hold up another', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pacing-'));
    robot = await startRobotFake();
    const ledger = SendLedger.at(path.join(dir, 'ledger.jsonl'));
    const gate = new RateGate({ count: 1, perMs: 1_500 }, { label: '企业微信机器人' });
    const channel = gate.guard(ledger.guard(new WeComChannel({ env: { W_EAST: robot.url('east'), W_WEST: robot.url('west') } })));
    await channel.send(notice(1, 'W_EAST'));
    const east = channel.send(notice(2, 'W_EAST'));
    const started = Date.now();
    await channel.send(notice(1, 'W_WEST'));
    expect(Date.now() - started).toBeLessThan(500);
    await east;
    expect(robot.accepted().map((m) => m.key)).toEqual(['east', 'west', 'east']);
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

test('a DingTalk "send too fast" holds that robot off for ten minutes; another DingTalk robot still sends', async () => {
  const receiver = await startRobotReceiver();
  const env = { D_EDU: `${receiver.url}/robot/send?access_token=edu`, D_FIN: `${receiver.url}/robot/send?access_token=fin` };
  const channel = new RateGate(MINUTE, { label: '钉钉机器人' }).guard(new DingTalkChannel({ env }));
  const to = (webhookEnv: string) => ({ name: '教育局', robots: { dingtalk: { webhookEnv } } });
  const message = (i: number, webhookEnv: string): OutgoingMessage => ({ ...notice(i, webhookEnv), to: to(webhookEnv) });
  receiver.replies.push({ json: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } });
  const refused = await channel.send(message(1, 'D_EDU')).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(RateLimitedError);
  expect(refused).toMatchObject({ holdOffMs: 600_000, message: '钉钉机器人限流或繁忙 (errcode 130101)' });
  await expect(channel.send(message(2, 'D_EDU'))).rejects.toThrow(/^钉钉机器人被限流,暂停发送,需等待约 600 秒/);
  receiver.replies.push({ json: { errcode: 90030, errmsg: 'webhook over limit' } });
  await expect(channel.send(message(1, 'D_FIN'))).rejects.toMatchObject({ holdOffMs: 600_000 });
  expect(receiver.received.map((r) => r.query.get('access_token'))).toEqual(['edu', 'fin']);
  await receiver.close();
});

test('a hold-off shorter than the longest wait is waited out', async () => {
  const gate = new RateGate(MINUTE, { label: '企业微信机器人' });
  await expect(gate.run('k', 1, () => Promise.reject(new RateLimitedError('慢一点', 300)))).rejects.toThrow('慢一点');
  const started = Date.now();
  await gate.run('k', 1, () => Promise.resolve());
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
});

test('sends already queued for a robot are refused at once when it is held off past their wait', async () => {
  const gate = new RateGate({ count: 1, perMs: 1_000 }, { label: '钉钉机器人' });
  const first = gate.run('edu', 1, () => new Promise((_, reject) => setTimeout(() => reject(new RateLimitedError('限流', 600_000)), 50)));
  const queued = gate.run('edu', 1, () => Promise.resolve('sent'));
  await expect(first).rejects.toThrow('限流');
  await expect(queued).rejects.toThrow(/^钉钉机器人被限流,暂停发送,需等待约 600 秒/);
});

describe('the real default, on a fake clock', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('the 21st send in a minute waits for its slot when that is within 45 s, and is refused for a retry when not', async () => {
    const gate = new RateGate(MINUTE, { label: '企业微信机器人', now: () => Date.now() });
    const sent: number[] = [];
    const send = () => gate.run('east', 1, () => Promise.resolve(sent.push(Date.now())));
    const start = Date.now();
    await Promise.all(Array.from({ length: 20 }, send));
    await expect(send()).rejects.toThrow('企业微信机器人每 60 秒最多发 20 条,需等待约 60 秒,超过 45 秒上限,稍后重试');
    await jest.advanceTimersByTimeAsync(20_000);
    const waiting = send();
    await jest.advanceTimersByTimeAsync(39_999);
    expect(sent).toHaveLength(20);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(sent.map((t) => t - start)).toEqual([...Array<number>(20).fill(0), 60_000]);
  });
});

describe('which channels are paced', () => {
  const mail = (): NotificationChannel & { sent: number } => ({
    name: 'email',
    sent: 0,
    send(): Promise<ChannelResult> {
      this.sent += 1;
      return Promise.resolve({ result: 'sent' });
    },
  });

  test('SMTP is unlimited by default, and counted per relay when a limit is set; the outbox never', async () => {
    const outbox = { name: 'outbox' as const, send: () => Promise.resolve({ result: 'sent' as const }) };
    const free = { email: mail(), outbox };
    expect(paceChannels(free, { robotPerMinute: 20, smtpPerMinute: 0 })).toEqual(free);
    const limited = paceChannels({ email: mail(), outbox }, { robotPerMinute: 20, smtpPerMinute: 2 });
    expect(limited.outbox).toBe(outbox);
    const message = notice(1, 'unused');
    await limited.email.send(message);
    await limited.email.send(message);
    await expect(limited.email.send(message)).rejects.toThrow(/^邮件服务器每 60 秒最多发 2 条/);
    expect(limited.email.sent).toBe(2);
  });
});
