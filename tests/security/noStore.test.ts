import { request } from '../http/client';
import { login, startStack, type Stack } from '../http/stack';

/** Finding 8: signed-in pages and API answers were cacheable, so Back after signing out showed the previous user's page. */
let stack: Stack;
let cookie: string;

beforeAll(async () => {
  stack = await startStack({ people: ['p-admin'] });
  cookie = await login(stack.baseUrl, 'p-admin');
}, 90_000);

afterAll(() => stack?.stop());

const cacheControl = async (method: string, url: string, o: { cookie?: string; json?: unknown } = {}) =>
  (await request(stack.baseUrl, method, url, { headers: o.cookie ? { cookie: o.cookie } : {}, ...(o.json === undefined ? {} : { json: o.json }) })).headers['cache-control'];

test('every page and API answer that depends on the session is no-store', async () => {
  for (const url of ['/my', '/duties', '/overdue', '/audit', '/api/me', '/api/tasks', '/api/duties', '/api/reports/overdue?format=csv', '/tasks/task:nope']) {
    expect([url, await cacheControl('GET', url, { cookie })]).toEqual([url, 'no-store']);
  }
  // Signing in and out, and the answers that turn a visitor away, are never cached either.
  expect(await cacheControl('POST', '/api/login', { json: { personId: 'p-admin', password: 'wrong-password' } })).toBe('no-store');
  expect(await cacheControl('GET', '/my')).toBe('no-store');
  expect(await cacheControl('GET', '/api/me')).toBe('no-store');
  expect(await cacheControl('POST', '/api/logout', { cookie })).toBe('no-store');
});

test('static assets keep their own caching', async () => {
  const page = await request(stack.baseUrl, 'GET', '/login');
  const css = page.text.match(/href="(\/assets\/app\.[0-9a-f]{10}\.css)"/)?.[1] ?? '';
  expect(await cacheControl('GET', css)).toBe('public, max-age=31536000, immutable');
});
