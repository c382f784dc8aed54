import { request } from '../http/client';
import { startSignInServer, type SignInServer } from './signInServer';

/** Finding 6: `next=` let a tab through to another site and crashed on CR/LF or non-ASCII. */
let server: SignInServer;

beforeAll(async () => {
  server = await startSignInServer({ passwords: { 'p-admin': 'admin-password' } });
});

afterAll(() => server.stop());

const after = async (next: string) => {
  const res = await server.formLogin('p-admin', 'admin-password', { next });
  expect(res.status).toBe(303);
  return res.headers.location;
};

test('a path a browser would read as another site, or that is no page of ours, lands on the home page', async () => {
  for (const next of ['/\t/evil.example', '/\\evil.example', '//evil.example', '/\n/evil.example', 'https://evil.example/', '/login', '/api/me', '/nowhere']) {
    expect(await after(next)).toBe('/duties');
  }
});

test('CR/LF and non-ASCII never reach a header, and never cause a 500', async () => {
  expect(await after('/\r\nSet-Cookie: x=1')).toBe('/duties');
  expect(await after('/你好')).toBe('/duties');
  expect(await after('/my?q=你好')).toBe('/my?q=%E4%BD%A0%E5%A5%BD');
  const page = await request(server.base, 'GET', `/login?next=${encodeURIComponent('/\r\n你好')}`);
  expect(page.status).toBe(200);
  expect(page.text).not.toContain('name="next"');
});

test('the site’s own pages are kept, query included', async () => {
  expect(await after('/my')).toBe('/my');
  expect(await after('/duties?x=1')).toBe('/duties?x=1');
  expect(await after('/tasks/task:monthly-data-import:2026-11:dept-edu')).toBe('/tasks/task:monthly-data-import:2026-11:dept-edu');
  expect(await after('/overdue')).toBe('/overdue');
  expect(await after('/audit')).toBe('/audit');
  const page = await request(server.base, 'GET', '/login?next=%2Fduties%2Fmonthly-data-import');
  expect(page.text).toContain('<input type="hidden" name="next" value="/duties/monthly-data-import">');
});
