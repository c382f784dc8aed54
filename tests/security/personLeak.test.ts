import type { TaskSummary } from '../../src/tasks/query';
import { request } from '../http/client';
import { login, startStack, type Stack } from '../http/stack';

/** Finding 7: an assignee outside the viewer's scope answered 200 [] while an unknown one answered 404. */
const PEOPLE = ['p-xhz-cadre1', 'p-qh-sup'];
let stack: Stack;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ people: PEOPLE });
  await stack.openPeriod('three-assets-disclosure', '2026-Q3');
  for (const p of PEOPLE) cookies[p] = await login(stack.baseUrl, p);
}, 90_000);

afterAll(() => stack?.stop());

const byAssignee = async (viewer: string, assignee: string) => {
  const res = await request(stack.baseUrl, 'GET', `/api/tasks?assignee=${assignee}`, { headers: { cookie: cookies[viewer] ?? '' } });
  return { status: res.status, body: res.json() as unknown };
};

test('a person outside the viewer’s scope looks exactly like a person who does not exist', async () => {
  for (const [viewer, outside] of [
    ['p-xhz-cadre1', 'p-sjh-cadre1'],
    ['p-xhz-cadre1', 'p-tj-cadre1'],
    ['p-qh-sup', 'p-sjh-cadre1'],
  ] as const) {
    const [out, unknown] = [await byAssignee(viewer, outside), await byAssignee(viewer, 'p-nobody')];
    expect([out, unknown]).toEqual([
      { status: 404, body: { error: `找不到人员: ${outside}` } },
      { status: 404, body: { error: '找不到人员: p-nobody' } },
    ]);
  }
});

test('people inside the scope are still found, with their tasks', async () => {
  const own = await byAssignee('p-xhz-cadre1', 'p-xhz-cadre1');
  expect(own.status).toBe(200);
  expect((own.body as TaskSummary[]).map((t) => t.unit)).toEqual(['v-xiaohezui']);
  const village = await byAssignee('p-qh-sup', 'p-tj-cadre1');
  expect(village.status).toBe(200);
  expect((village.body as TaskSummary[]).map((t) => t.unit)).toEqual(['v-tuanjie']);
});
