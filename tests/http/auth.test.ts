import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { accountStore, type AccountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { settings } from '../../src/config';
import { buildServer } from '../../src/http/server';
import { ServerContext } from '../../src/services/serverContext';
import { request } from './client';

/** Sign-in, sessions, tokens and the API document need no Temporal: the client is never asked for. */
let tmp: string;
let app: FastifyInstance;
let accounts: AccountStore;
let base: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-auth-'));
  const s = { ...settings(), dataDir: tmp };
  accounts = accountStore({ kind: 'files', dataDir: tmp }, 4);
  await accounts.setPassword('p-admin', 'admin-password');
  await accounts.setPassword('p-qh-cadre1', 'cadre-password');
  app = await buildServer({
    services: new ServerContext(s, undefined as never),
    accounts,
    sessions: sessionStore({ kind: 'files', dataDir: tmp }),
    log: pino({ level: 'silent' }),
    options: { secureCookies: true, loginRateLimit: { max: 3, timeWindowMs: 60_000 } },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
});

const login = (personId: string, password: string, from = '127.0.0.1') => request(base, 'POST', '/api/login', { json: { personId, password }, from });
const get = (path: string, headers: Record<string, string> = {}) => request(base, 'GET', path, { headers });

test('passwords are stored as bcrypt hashes and checked; a wrong id or password gets the same answer', async () => {
  expect((await accounts.get('p-admin'))?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
  const wrongPassword = await login('p-admin', 'nope', '127.0.0.2');
  const wrongId = await login('p-nobody', 'nope', '127.0.0.2');
  expect([wrongPassword.status, wrongId.status]).toEqual([401, 401]);
  expect(wrongPassword.json()).toEqual(wrongId.json());
  expect(wrongPassword.json()).toEqual({ error: '人员编号或密码错误' });
  await expect(accounts.setPassword('p-admin', 'short')).rejects.toThrow('密码(password)至少 8 位');
});

test('a session cookie is HttpOnly, SameSite=Lax and Secure when configured, and logout ends it', async () => {
  const res = await login('p-qh-cadre1', 'cadre-password', '127.0.0.3');
  expect(res.json()).toEqual({ personId: 'p-qh-cadre1', name: '黄丽君', role: 'cadre', unitId: 't-qionghu' });
  const setCookie = String(res.headers['set-cookie']?.[0]);
  expect(setCookie).toMatch(/^duty_sid=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
  const cookie = setCookie.split(';')[0] ?? '';
  expect((await get('/api/me', { cookie })).json()).toMatchObject({ personId: 'p-qh-cadre1' });
  // A cadre is sent away from the supervisor dashboard with a Chinese 403 page.
  const dashboard = await get('/overdue', { cookie });
  expect(dashboard.status).toBe(403);
  expect(dashboard.text).toContain('当前账号的角色无权查看此页');
  await request(base, 'POST', '/api/logout', { headers: { cookie } });
  expect((await get('/api/me', { cookie })).status).toBe(401);
});

test('login is rate-limited per client address, with a Chinese message', async () => {
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push((await login('p-admin', 'wrong', '127.0.0.9')).status);
  expect(codes).toEqual([401, 401, 401, 429]);
  const limited = await login('p-admin', 'admin-password', '127.0.0.9');
  expect(limited.status).toBe(429);
  expect(limited.json().error).toMatch(/^登录尝试过于频繁,请 \d+ 秒后再试$/);
  // The page form shares the limit and answers with the login page.
  const page = await request(base, 'POST', '/login', { form: { personId: 'p-admin', password: 'admin-password' }, from: '127.0.0.9' });
  expect(page.status).toBe(429);
  expect(page.text).toContain('登录尝试过于频繁');
  // Another address is not affected.
  expect((await login('p-admin', 'admin-password', '127.0.0.10')).status).toBe(200);
});

test('anonymous page visits go to the login page and come back after signing in', async () => {
  const visit = await get('/duties?x=1');
  expect(visit.status).toBe(303);
  expect(visit.headers.location).toBe('/login?next=%2Fduties%3Fx%3D1');
  const form = await request(base, 'POST', '/login', { form: { personId: 'p-admin', password: 'admin-password', next: '/duties?x=1' }, from: '127.0.0.20' });
  expect(form.status).toBe(303);
  expect(form.headers.location).toBe('/duties?x=1');
  const offsite = await request(base, 'POST', '/login', { form: { personId: 'p-admin', password: 'admin-password', next: '//evil.example' }, from: '127.0.0.21' });
  expect(offsite.headers.location).toBe('/duties');
});

test('bearer tokens stand for their person until revoked; only a hash is stored', async () => {
  const { id, token } = await accounts.createToken('p-admin', 'ci');
  expect(token).toMatch(new RegExp(`^dt_${id}_[\\w-]{43}$`));
  expect(JSON.stringify(await accounts.tokens())).not.toContain(token.slice(16));
  const me = await get('/api/me', { authorization: `Bearer ${token}` });
  expect(me.json()).toMatchObject({ personId: 'p-admin', role: 'admin' });
  await accounts.revokeToken(id);
  expect((await get('/api/me', { authorization: `Bearer ${token}` })).status).toBe(401);
});

test('the OpenAPI document is generated from the handlers’ zod schemas', async () => {
  const doc = (await get('/openapi.json')).json();
  expect(doc.openapi).toBe('3.1.0');
  for (const p of ['/api/tasks', '/api/tasks/{taskId}', '/api/tasks/{taskId}/complete', '/api/tasks/{taskId}/waive', '/api/duties', '/api/duties/{dutyId}/preview', '/api/duties/{dutyId}/pause', '/api/duties/{dutyId}/resume', '/api/duties/{dutyId}/trigger', '/api/reports/overdue', '/api/audit']) {
    expect(Object.keys(doc.paths)).toContain(p);
  }
  const list = doc.paths['/api/tasks'].get;
  expect(list.parameters.find((x: { name: string }) => x.name === 'status').schema.enum).toEqual(['open', 'overdue', 'review', 'done', 'waived']);
  expect(list.parameters.find((x: { name: string }) => x.name === 'flag').schema.enum).toEqual(['unacknowledged', 'progress', 'extensionRequested', 'extended', 'returned', 'suspended']);
  const complete = doc.paths['/api/tasks/{taskId}/complete'].post;
  expect(complete.parameters[0]).toMatchObject({ name: 'taskId', in: 'path', required: true });
  expect(Object.keys(complete.requestBody.content['application/json'].schema.properties)).toEqual(['note', 'fields']);
  expect(complete.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  expect(Object.keys(doc.paths['/api/reports/overdue'].get.responses['200'].content)).toContain('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
});

test('pages carry a strict content security policy and the stylesheet is cacheable for a year', async () => {
  const page = await get('/login');
  expect(page.headers['content-security-policy']).toContain("script-src 'none'");
  const css = page.text.match(/href="(\/assets\/app\.[0-9a-f]{10}\.css)"/)?.[1] ?? '';
  const asset = await get(css);
  expect(asset.status).toBe(200);
  expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
});
