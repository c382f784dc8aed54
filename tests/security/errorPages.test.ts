import net from 'node:net';
import { request, type Reply } from '../http/client';
import { startSignInServer, type SignInServer } from './signInServer';

/** Issue 9: every refusal answers in Chinese, as a page for a browser and as JSON for /api; no framework English. */
let server: SignInServer;
let cookie: string;
const BROWSER = { accept: 'text/html,application/xhtml+xml' };
const ENGLISH = /Bad Request|Not Found|URI Too Long|Too Large|Client Error|exceeding|expected|record|FST_ERR/;

beforeAll(async () => {
  server = await startSignInServer({ passwords: { 'p-admin': 'admin-password' } });
  cookie = String((await server.formLogin('p-admin', 'admin-password')).headers['set-cookie']).split(';')[0] ?? '';
});

afterAll(() => server.stop());

const page = (path: string, headers: Record<string, string> = {}) => request(server.base, 'GET', path, { headers: { ...BROWSER, cookie, ...headers } });

function expectChinesePage(res: Reply, status: number, words: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.text).toContain(words);
  expect(res.text).not.toMatch(ENGLISH);
}

/** Sends raw bytes: node:http refuses to send a request line this long. */
function rawRequest(line: string): Promise<string> {
  const { port } = new URL(server.base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`${line}\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

test('an unknown page answers a Chinese 404 page to a browser and Chinese JSON to /api', async () => {
  expectChinesePage(await page('/no-such-page'), 404, '找不到该页面或接口');
  const api = await request(server.base, 'GET', '/api/no-such-thing', { headers: { cookie } });
  expect(api.status).toBe(404);
  expect(api.json()).toEqual({ error: '找不到该页面或接口,请检查网址' });
});

test('an address too long for the router or for Node answers in Chinese', async () => {
  expectChinesePage(await page(`/tasks/${'x'.repeat(400)}`), 414, '网址过长');
  const api = await request(server.base, 'GET', `/api/tasks/${'x'.repeat(400)}`, { headers: { cookie } });
  expect(api.status).toBe(414);
  expect(api.json()).toEqual({ error: '网址过长,请减少筛选条件后再试' });
  const huge = await rawRequest(`GET /overdue?period=${'x'.repeat(20_000)} HTTP/1.1`);
  expect(huge).toMatch(/^HTTP\/1\.1 431 /);
  expect(huge).toContain('网址或请求头过长');
  expect(huge.split('\r\n\r\n')[1]).not.toMatch(ENGLISH);
  const hugeApi = await rawRequest(`GET /api/tasks?assignee=${'x'.repeat(20_000)} HTTP/1.1`);
  expect(JSON.parse(hugeApi.split('\r\n\r\n')[1] ?? '')).toEqual({ error: '网址或请求头过长,请减少筛选条件后再试' });
});

test('a badly encoded address answers in Chinese', async () => {
  expectChinesePage(await page('/tasks/%E0%A4%A'), 400, '网址不正确');
});

test('validator problems are shown once each, by the field’s Chinese name, in plain words', async () => {
  const res = await page('/audit?from=yesterday&to=2026-01-01&to=2026-02-01');
  expectChinesePage(res, 400, '请求有 2 处问题');
  expect(res.text).toContain('<li>开始日期: 日期必须是有效的 YYYY-MM-DD</li>');
  expect(res.text).toContain('<li>结束日期: 只能填写一个值</li>');
  expect(res.text).not.toMatch(/query\.|类型错误/);
  expect(res.text.split('YYYY-MM-DD').length - 1).toBe(1);
});

test('a form post whose body is not a set of fields is refused in words, not `应为record`', async () => {
  const res = await request(server.base, 'POST', `/tasks/${encodeURIComponent('task:x:2026-Q3:v-tuanjie')}/complete`, { json: ['not', 'fields'], headers: { ...BROWSER, cookie } });
  expectChinesePage(res, 400, '提交的内容: 应为一组字段');
});

test('a cross-site form post to a page is refused with a Chinese page, not JSON', async () => {
  const res = await request(server.base, 'POST', '/duties/monthly-data-import/pause', { form: { reason: '攻击' }, headers: { ...BROWSER, cookie, origin: 'https://evil.example' } });
  expectChinesePage(res, 403, '请求来源与本站不符,已拒绝');
});
