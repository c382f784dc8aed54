import { request, type Reply } from '../http/client';
import { login, startStack, type Stack } from '../http/stack';

export const CADRE = 'p-xhz-cadre1';
export const TASK = 'task:three-assets-disclosure:2026-Q3:v-xiaohezui';

export interface DisclosureTask {
  stack(): Stack;
  /** POST /api/tasks/<TASK>/complete as the village's cadre. */
  complete(body: unknown): Promise<Reply>;
}

/**
 * The whole stack (dev server, worker, HTTP) with 小河咀村's 2026-Q3 三资公开 task open and its cadre signed in,
 * started before the calling file's (or describe block's) tests and stopped after them.
 */
export function disclosureTask(): DisclosureTask {
  let stack: Stack | undefined;
  let cookie = '';
  beforeAll(async () => {
    stack = await startStack({ people: [CADRE] });
    await stack.openPeriod('three-assets-disclosure', '2026-Q3');
    cookie = await login(stack.baseUrl, CADRE);
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });
  const started = (): Stack => {
    if (!stack) throw new Error('the stack has not started');
    return stack;
  };
  return {
    stack: started,
    complete: (body) =>
      request(started().baseUrl, 'POST', `/api/tasks/${encodeURIComponent(TASK)}/complete`, { headers: { cookie, origin: started().baseUrl }, json: body }),
  };
}
