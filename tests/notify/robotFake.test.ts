import { startRobotFake, type RobotFake } from '../../bench/lib/robotFake';

let robot: RobotFake;
beforeEach(async () => {
  robot = await startRobotFake();
});
afterEach(async () => {
  await robot.close();
});

async function post(key: string, body: unknown): Promise<{ errcode: number; errmsg?: string }> {
  const response = await fetch(robot.url(key), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as { errcode: number; errmsg?: string };
}

const text = (content: string, mobiles: string[] = []) => ({ msgtype: 'text', text: { content, mentioned_mobile_list: mobiles } });

test('a robot takes 20 messages in a minute and refuses the 21st with 45009; another robot is counted apart', async () => {
  for (let i = 0; i < 20; i += 1) expect(await post('a', text(`消息 ${i}`))).toEqual({ errcode: 0, errmsg: 'ok' });
  expect(await post('a', text('第 21 条'))).toEqual({ errcode: 45009, errmsg: 'api freq out of limit' });
  expect(await post('b', text('另一个群'))).toMatchObject({ errcode: 0 });
  expect(robot.accepted('a')).toHaveLength(20);
  expect(robot.refusals()).toMatchObject([{ key: 'a', errcode: 45009 }]);
});

test('content over the byte limits is refused with 40058; mentions are recorded', async () => {
  expect(await post('a', { msgtype: 'markdown', markdown: { content: '字'.repeat(1366) } })).toMatchObject({ errcode: 40058 });
  expect(await post('a', text('字'.repeat(683)))).toMatchObject({ errcode: 40058 });
  expect(await post('a', { msgtype: 'markdown', markdown: { content: `${'字'.repeat(1300)}\n<@wx-li> <@wx-wang>` } })).toMatchObject({ errcode: 0 });
  expect(await post('a', text('请查看', ['13800000001']))).toMatchObject({ errcode: 0 });
  expect(robot.accepted('a').map((m) => m.mentions)).toEqual([
    { userIds: ['wx-li', 'wx-wang'], mobiles: [] },
    { userIds: [], mobiles: ['13800000001'] },
  ]);
  expect(robot.refusals().map((r) => r.errcode)).toEqual([40058, 40058]);
});
