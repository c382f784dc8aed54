import { startRobotFake, type RobotFake } from '../../bench/lib/robotFake';
import type { Mention, OutgoingMessage } from '../../src/notify/channel';
import { DINGTALK_MARKDOWN_MAX_BYTES, DingTalkChannel } from '../../src/notify/dingtalk';
import { linkLine } from '../../src/notify/links';
import { WECOM_MARKDOWN_MAX_BYTES, WeComChannel } from '../../src/notify/wecom';
import { startRobotReceiver } from './robotReceiver';

const bytes = (s: string) => Buffer.byteLength(s);
const url = (i: number) => `http://127.0.0.1:8080/tasks/task%3Avillage-report%3A2026-03%3Av-${i}`;

/** 40 cadres of one township, each with a task due at 09:00: half known to WeCom by user id, half by mobile only. */
const cadres: Mention[] = Array.from({ length: 40 }, (_, i) =>
  i % 2 === 0 ? { name: `村干部${i}`, chatId: `wx-cadre-${i}`, mobile: `138${String(i).padStart(8, '0')}` } : { name: `村干部${i}`, mobile: `139${String(i).padStart(8, '0')}` },
);

function groupMessage(robots: OutgoingMessage['to']['robots'], perTask = 1): OutgoingMessage {
  const lines = cadres.flatMap((c, i) => [
    `${i + 1}. ${c.name}:第 ${i} 村「村级月度报表(2026-03)」将于 2026-03-16 到期,请按期办理并上传佐证材料。${'说明'.repeat(perTask)}`,
    linkLine('办理(签收、反馈、登记完成)', url(i)),
  ]);
  return {
    id: 'group:t-east:2026-03-12T09:00',
    notificationId: 'group:t-east:2026-03-12T09:00',
    personId: 't-east',
    to: { name: '东岭镇', robots },
    subject: '【待办提醒】东岭镇 40 项任务 2026-03-16 到期',
    text: lines.join('\n'),
    links: cadres.map((_, i) => url(i)),
    mentions: cadres,
  };
}

describe('WeCom group message', () => {
  let robot: RobotFake;
  beforeEach(async () => {
    robot = await startRobotFake();
  });
  afterEach(async () => {
    await robot.close();
  });

  test('40 tasks and 40 mentions: markdown split only at 4,096 bytes, no link cut, everyone mentioned once', async () => {
    const channel = new WeComChannel({ env: { W_EAST: robot.url('east') } });
    expect(await channel.send(groupMessage({ wecom: { webhookEnv: 'W_EAST' } }))).toEqual({ result: 'sent' });
    expect(robot.refusals()).toEqual([]);
    const sent = robot.accepted('east');
    const markdown = sent.filter((m) => m.msgtype === 'markdown').map((m) => (m.body.markdown as { content: string }).content);
    expect(sent.map((m) => m.msgtype)).toEqual([...markdown.map(() => 'markdown'), 'text']);

    const total = markdown.reduce((sum, part) => sum + bytes(part), 0);
    expect(markdown).toHaveLength(Math.ceil(total / WECOM_MARKDOWN_MAX_BYTES));
    for (const [i, part] of markdown.entries()) {
      expect(bytes(part)).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
      // As full as it can be: the next part's first line would not have fitted.
      const next = markdown[i + 1]?.split('\n')[1];
      if (next !== undefined) expect(bytes(`${part}\n${next}`)).toBeGreaterThan(WECOM_MARKDOWN_MAX_BYTES);
    }
    expect(markdown[0]?.split('\n')[0]).toBe('### 【待办提醒】东岭镇 40 项任务 2026-03-16 到期');
    expect(markdown.slice(1).every((p) => p.startsWith('(接上条)\n'))).toBe(true);
    const all = markdown.join('\n');
    for (const i of cadres.keys()) expect(all.split(`[办理(签收、反馈、登记完成)](${url(i)})`)).toHaveLength(2);

    const byId = sent.flatMap((m) => m.mentions.userIds);
    const byMobile = sent.flatMap((m) => m.mentions.mobiles);
    expect(byId).toEqual(cadres.filter((c) => c.chatId).map((c) => c.chatId));
    expect(byMobile).toEqual(cadres.filter((c) => !c.chatId).map((c) => c.mobile));
    expect(sent.at(-1)?.body.text).toMatchObject({ content: '请查看上一条消息:【待办提醒】东岭镇 40 项任务 2026-03-16 到期' });
  });

  test('a short group message is one markdown message and one text for those known only by mobile', async () => {
    const channel = new WeComChannel({ env: { W_EAST: robot.url('east') } });
    const message = { ...groupMessage({ wecom: { webhookEnv: 'W_EAST' } }), text: '各村请按期办理。', links: [] };
    await channel.send(message);
    expect(robot.accepted('east').map((m) => [m.msgtype, m.mentions.userIds.length, m.mentions.mobiles.length])).toEqual([
      ['markdown', 20, 0],
      ['text', 0, 20],
    ]);
  });
});

test('WeCom: a retry after a refused part posts only the parts not yet accepted', async () => {
  const receiver = await startRobotReceiver();
  const channel = new WeComChannel({ env: { W_EAST: `${receiver.url}/cgi-bin/webhook/send?key=east` } });
  const message = groupMessage({ wecom: { webhookEnv: 'W_EAST' } });
  receiver.replies.push({ json: { errcode: 0 } }, { json: { errcode: 45009, errmsg: 'api freq out of limit' } });
  expect(channel.rateCost(message)?.requests).toBeGreaterThan(2);
  const requests = channel.rateCost(message)?.requests ?? 0;
  await expect(channel.send(message)).rejects.toThrow('errcode 45009');
  expect(channel.rateCost(message)?.requests).toBe(requests - 1);
  await channel.send(message);
  const posted = receiver.received.map((r) => JSON.stringify(r.body));
  expect(posted).toHaveLength(requests + 1);
  // The refused second part went again; the accepted first did not.
  expect(posted[2]).toBe(posted[1]);
  expect(new Set(posted).size).toBe(requests);
  await receiver.close();
});

describe('DingTalk group message', () => {
  test('one markdown message carrying all 40 mobiles in at.atMobiles and as @mobile in the text', async () => {
    const receiver = await startRobotReceiver();
    const channel = new DingTalkChannel({ env: { D_EAST: `${receiver.url}/robot/send?access_token=east` } });
    expect(await channel.send(groupMessage({ dingtalk: { webhookEnv: 'D_EAST' } }))).toEqual({ result: 'sent' });
    expect(receiver.received).toHaveLength(1);
    const body = receiver.received[0]?.body as { markdown: { title: string; text: string }; at: { atMobiles: string[]; isAtAll: boolean } };
    const mobiles = cadres.map((c) => c.mobile);
    expect(body.at).toEqual({ atMobiles: mobiles, isAtAll: false });
    expect(body.markdown.text.endsWith(`\n\n${mobiles.map((m) => `@${m}`).join(' ')}`)).toBe(true);
    expect(bytes(body.markdown.text)).toBeLessThanOrEqual(DINGTALK_MARKDOWN_MAX_BYTES);
    await receiver.close();
  });

  test('past the size limit it splits between lines, the mentions riding on the part that shows them', async () => {
    const receiver = await startRobotReceiver();
    const channel = new DingTalkChannel({ env: { D_EAST: `${receiver.url}/robot/send?access_token=east` } });
    await channel.send(groupMessage({ dingtalk: { webhookEnv: 'D_EAST' } }, 60));
    const bodies = receiver.received.map((r) => r.body as { markdown: { title: string; text: string }; at: { atMobiles: string[] } });
    const texts = bodies.map((b) => b.markdown.text);
    expect(texts).toHaveLength(2);
    expect(bytes(texts[0] ?? '')).toBeLessThanOrEqual(DINGTALK_MARKDOWN_MAX_BYTES);
    expect(bytes(`${texts[0] ?? ''}\n${texts[1]?.split('\n')[2] ?? ''}`)).toBeGreaterThan(DINGTALK_MARKDOWN_MAX_BYTES);
    expect(bodies.map((b) => b.markdown.title)).toEqual(['【待办提醒】东岭镇 40 项任务 2026-03-16 到期', '【待办提醒】东岭镇 40 项任务 2026-03-16 到期(续)']);
    expect(bodies.map((b) => b.at.atMobiles.length)).toEqual([0, 40]);
    const all = bodies.map((b) => b.markdown.text).join('\n');
    for (const i of cadres.keys()) expect(all).toContain(`[办理(签收、反馈、登记完成)](${url(i)})`);
    await receiver.close();
  });
});
