import { DateTime } from 'luxon';
import { listEmergencies } from '../../src/services/emergencies';
import { ZONE } from '../../src/shared/zone';
import { request } from './client';
import { login, startStack, type Stack } from './stack';

/** 紧急情况 on the pages: only admins; a form shows the count first and acts on confirmation; bad input keeps nothing. */

let stack: Stack;
let admin: string;
const day = (n: number) => DateTime.now().setZone(ZONE).plus({ days: n }).toISODate() ?? '';

beforeAll(async () => {
  stack = await startStack({ people: ['p-admin', 'p-qh-sup'] });
  admin = await login(stack.baseUrl, 'p-admin');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const post = (url: string, form: Record<string, string>, cookie = admin) => request(stack.baseUrl, 'POST', url, { form, headers: { cookie } });

test('an admin suspends townships from the page after seeing the count, and lifts it again', async () => {
  const page = await request(stack.baseUrl, 'GET', '/emergencies', { headers: { cookie: admin } });
  expect(page.status).toBe(200);
  expect(page.text).toContain('暂停提醒与升级');
  const duties = await request(stack.baseUrl, 'GET', '/duties', { headers: { cookie: admin } });
  expect(duties.text).toContain('href="/emergencies"');

  const form = { unit: 't-qionghu', otherUnits: 't-yanzhihu', from: day(1), to: day(5), reason: '洞庭湖汛期防汛' };
  const asked = await post('/emergencies/suspend', form);
  expect(asked.status).toBe(200);
  expect(asked.text).toContain('将涉及未办结任务');
  expect(await listEmergencies(stack.services)).toEqual([]);

  const done = await post('/emergencies/suspend', { ...form, confirm: '1' });
  expect(done.status).toBe(303);
  const [emergency] = await listEmergencies(stack.services);
  expect(emergency).toMatchObject({ kind: 'suspend', units: ['t-qionghu', 't-yanzhihu'], from: day(1), to: day(5) });

  const lifted = await post(`/emergencies/${emergency?.id ?? ''}/lift`, {});
  expect(lifted.status).toBe(303);
  expect((await listEmergencies(stack.services))[0]?.liftedAt).toBeDefined();
});

test('bad input is refused in Chinese next to the form, and a supervisor cannot reach the page', async () => {
  const before = (await listEmergencies(stack.services)).length;
  const reversed = await post('/emergencies/suspend', { unit: 't-caowei', from: day(5), to: day(1), reason: '汛期', confirm: '1' });
  expect(reversed.status).toBe(400);
  expect(reversed.text).toContain('结束日期早于开始日期');
  const unknown = await post('/emergencies/suspend', { otherUnits: 't-nowhere', from: day(1), to: day(2), reason: '汛期', confirm: '1' });
  expect(unknown.text).toContain('名册中没有此单位');
  expect(await listEmergencies(stack.services)).toHaveLength(before);

  const sup = await login(stack.baseUrl, 'p-qh-sup');
  expect((await request(stack.baseUrl, 'GET', '/emergencies', { headers: { cookie: sup } })).status).toBe(403);
});
