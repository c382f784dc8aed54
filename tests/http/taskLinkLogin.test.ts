import { request } from './client';
import { PASSWORD, startStack, type Stack } from './stack';

/**
 * A notice's link opens the task page; a cadre who is not signed in signs in and lands on that task, whether the
 * link arrives with its colons encoded (as notices write it) or as typed. `next=` names pages of this site only.
 */
const LIAISON = 'p-edu-liaison';
const TASK = 'task:monthly-data-import:2026-03:dept-edu';
const ENCODED = `/tasks/${encodeURIComponent(TASK)}`;
const AS_TYPED = `/tasks/${TASK}`;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ people: [LIAISON] });
  await stack.openPeriod('monthly-data-import', '2026-03');
}, 90_000);

afterAll(() => stack?.stop());

const formLogin = (next: string) => request(stack.baseUrl, 'POST', '/login', { form: { personId: LIAISON, password: PASSWORD, next } });

test.each([
  ['encoded', ENCODED],
  ['as typed, colons and all', AS_TYPED],
])('a task link, %s, goes through sign-in and lands on the task', async (_form, link) => {
  const signedOut = await request(stack.baseUrl, 'GET', link);
  expect(signedOut.status).toBe(303);
  const loginUrl = String(signedOut.headers.location);
  expect(loginUrl).toBe(`/login?next=${encodeURIComponent(link)}`);

  const loginPage = await request(stack.baseUrl, 'GET', loginUrl);
  expect(loginPage.status).toBe(200);
  expect(loginPage.text).toContain(`<input type="hidden" name="next" value="${link}">`);

  // What the browser then posts: the hidden field as the page holds it.
  const signedIn = await formLogin(link);
  expect(signedIn.status).toBe(303);
  expect(signedIn.headers.location).toBe(link);
  const cookie = String(signedIn.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';

  const page = await request(stack.baseUrl, 'GET', link, { headers: { cookie } });
  expect(page.status).toBe(200);
  expect(page.text).toContain('行业部门每月导入监测数据');
  expect(page.text).toContain(TASK);
});

test.each([
  'javascript:alert(document.cookie)',
  'JavaScript:alert(1)//%0a/tasks/x',
  '//evil.example/tasks/x',
  '/\\evil.example/tasks/x',
  '/\t/evil.example/tasks/x',
  `https://evil.example${ENCODED}`,
  `http:${ENCODED}`,
  'data:text/html,<script>alert(1)</script>',
])('next=%j is refused: sign-in lands on the home page and the login page drops it', async (next) => {
  const signedIn = await formLogin(next);
  expect(signedIn.status).toBe(303);
  expect(signedIn.headers.location).toBe('/my');
  const loginPage = await request(stack.baseUrl, 'GET', `/login?next=${encodeURIComponent(next)}`);
  expect(loginPage.status).toBe(200);
  expect(loginPage.text).not.toContain('name="next"');
});
