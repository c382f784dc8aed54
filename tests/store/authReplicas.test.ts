import { PgDatabase } from '../../src/store/pg/database';
import { request } from '../http/client';
import { startSignInServer, type SignInServer } from '../security/signInServer';
import { freshDatabase } from '../support/postgres';

/** Two HTTP replicas, each with its own pool, on one PostgreSQL: whatever one learns about signing in, the other knows. */
const CADRE = 'p-qh-cadre1';
const LIMIT = { loginRateLimit: { max: 3, timeWindowMs: 60_000 } };

let database: Awaited<ReturnType<typeof freshDatabase>>;
let pools: PgDatabase[];
let one: SignInServer;
let two: SignInServer;

beforeAll(async () => {
  database = await freshDatabase();
  pools = [await PgDatabase.open(database.url), await PgDatabase.open(database.url)];
  one = await startSignInServer({ passwords: { 'p-admin': 'admin-password', [CADRE]: 'cadre-password' }, options: LIMIT, db: pools[0] });
  two = await startSignInServer({ passwords: {}, options: LIMIT, db: pools[1] });
});

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await Promise.all((pools ?? []).map((p) => p.close()));
  await database?.drop();
});

const login = (s: SignInServer, personId: string, password: string, from: string) => request(s.base, 'POST', '/api/login', { json: { personId, password }, from });
const me = (s: SignInServer, headers: Record<string, string>) => request(s.base, 'GET', '/api/me', { headers });
const cookieOf = (res: { headers: { 'set-cookie'?: string[] } }) => String(res.headers['set-cookie']?.[0]).split(';')[0] ?? '';

test('failed logins spread over both replicas meet one limit', async () => {
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push((await login(i % 2 ? two : one, 'p-admin', 'wrong-password', '127.0.0.31')).status);
  expect(codes).toEqual([401, 401, 401, 429, 429]);
  for (const s of [one, two]) {
    const limited = await login(s, 'p-admin', 'admin-password', '127.0.0.31');
    expect(limited.status).toBe(429);
    expect(limited.json().error).toMatch(/^登录尝试过于频繁,请 \d+ 秒后再试$/);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  }
  // Another address has its own count.
  expect((await login(two, 'p-admin', 'admin-password', '127.0.0.32')).status).toBe(200);
});

test('a session begun on one replica is good on the other, and signing out on the other ends it', async () => {
  const cookie = cookieOf(await login(one, CADRE, 'cadre-password', '127.0.0.33'));
  expect((await me(two, { cookie })).json()).toMatchObject({ personId: CADRE });
  expect((await request(two.base, 'POST', '/api/logout', { headers: { cookie } })).status).toBe(200);
  expect((await me(one, { cookie })).status).toBe(401);
});

test('a password reset and a revoked token on one replica take effect on the other at once', async () => {
  const cookie = cookieOf(await login(two, CADRE, 'cadre-password', '127.0.0.34'));
  const { id, token } = await one.accounts.createToken(CADRE, '脚本');
  const other = await one.accounts.createToken(CADRE, '另一个脚本');
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  expect([(await me(two, { cookie })).status, (await me(two, bearer(token))).status]).toEqual([200, 200]);

  await one.accounts.revokeToken(id);
  expect((await me(two, bearer(token))).status).toBe(401);
  expect((await me(two, bearer(other.token))).status).toBe(200);

  await one.accounts.setPassword(CADRE, 'new-cadre-password');
  expect([(await me(two, { cookie })).status, (await me(two, bearer(other.token))).status]).toEqual([401, 401]);
  expect((await login(two, CADRE, 'cadre-password', '127.0.0.34')).status).toBe(401);
  expect((await login(two, CADRE, 'new-cadre-password', '127.0.0.34')).status).toBe(200);
});
