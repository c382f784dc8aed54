import { OPERATOR } from '../../src/auth/policy';
import { showTask } from '../../src/services/tasks';
import { eventually } from '../support/cli';
import { request } from './client';
import { login, startStack, type Stack } from './stack';

/** 我的任务: a task nobody has signed for offers 签收 right on its card; once signed, the card no longer asks. */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ people: ['p-xhz-cadre1'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

test('a cadre signs for a task from 我的任务', async () => {
  const ids = await stack.openPeriod('three-assets-disclosure', '2026-Q4');
  const taskId = ids.find((id) => id.endsWith(':v-xiaohezui'));
  if (!taskId) throw new Error('no task for 小河咀村');
  const cookie = await login(stack.baseUrl, 'p-xhz-cadre1');
  const ack = `/tasks/${encodeURIComponent(taskId)}/ack`;
  const before = await request(stack.baseUrl, 'GET', '/my', { headers: { cookie } });
  expect(before.text).toContain(`action="${ack}"`);

  const signed = await request(stack.baseUrl, 'POST', ack, { form: {}, headers: { cookie } });
  expect(signed.status).toBe(303);
  expect((await showTask(stack.services, OPERATOR, taskId)).acknowledged?.by).toBe('p-xhz-cadre1');
  // The card reads the listing, which catches up with the task a moment later.
  await eventually(
    () => request(stack.baseUrl, 'GET', '/my', { headers: { cookie } }),
    (after) => !after.text.includes(`action="${ack}"`),
  );
});
