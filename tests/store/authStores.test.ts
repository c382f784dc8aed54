import { readFileSync } from 'node:fs';
import path from 'node:path';
import { accountStore } from '../../src/auth/accounts';
import { loginAttempts } from '../../src/auth/loginAttempts';
import { sessionStore, type SessionStore } from '../../src/auth/sessions';
import { feedTokens } from '../../src/feeds/tokens';
import type { StoreBackend } from '../../src/store/backend';
import { KINDS, type Replicas, replicas } from './replicas';

/**
 * The account, session and feed-token stores keep one contract whichever backend holds them. `a` and `b` are two
 * processes' views of the same state: two HTTP replicas (two pools) on PostgreSQL, the server and the CLI on files.
 */

/** What the sessions store holds, expired ones included. */
async function storedSessions(r: Replicas): Promise<number> {
  if (r.db) return Number((await r.db.query<{ n: string }>('SELECT count(*) AS n FROM sessions')).rows[0]!.n);
  return Object.keys(JSON.parse(readFileSync(path.join(r.dataDir, 'auth', 'sessions.json'), 'utf8')) as object).length;
}

const PERSON = 'p-qh-cadre1';
const PASSWORD = 'first-password-1';
const minutesLater = (n: number, from = new Date()) => new Date(from.getTime() + n * 60_000);

describe.each(KINDS)('auth stores on %s', (kind) => {
  let r: Replicas;
  beforeEach(async () => {
    r = await replicas(kind);
  });
  afterEach(() => r.close());

  const accounts = (b: StoreBackend) => accountStore(b, 4);
  /** A file-backed installation has one server, which keeps its sessions in memory; the database shares them. */
  const sessionsOf = (one: SessionStore, b: StoreBackend) => (kind === 'files' ? one : sessionStore(b));

  test('an account opened on one is checked on the other; its password is kept as a bcrypt hash only', async () => {
    await expect(accounts(r.a).setPassword(PERSON, PASSWORD)).resolves.toEqual({ created: true, tokensRevoked: 0 });
    const other = accounts(r.b);
    expect(await other.get(PERSON)).toEqual({ personId: PERSON, passwordHash: expect.stringMatching(/^\$2[aby]\$04\$/), createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect([await other.verify(PERSON, PASSWORD), await other.verify(PERSON, 'wrong-password'), await other.verify('p-nobody', PASSWORD)]).toEqual([true, false, false]);
    await expect(other.setPassword(PERSON, 'short')).rejects.toThrow('密码(password)至少 8 位');
    expect((await other.list()).map((a) => a.personId)).toEqual([PERSON]);
  });

  test('a session made on one is resolved on the other, and a password reset there ends it', async () => {
    const [one, two] = [accounts(r.a), accounts(r.b)];
    await one.setPassword(PERSON, PASSWORD);
    const sessionsOne = sessionStore(r.a);
    const sessionsTwo = sessionsOf(sessionsOne, r.b);
    const began = minutesLater(1);
    const sid = await sessionsOne.create(PERSON, began);
    const session = await sessionsTwo.resolve(sid, began);
    expect(session).toEqual({ personId: PERSON, createdAt: began.toISOString() });
    expect(await two.sessionAccepted(session!)).toBe(true);

    const { token } = await one.createToken(PERSON, '脚本');
    await expect(two.setPassword(PERSON, 'second-password-2', minutesLater(2))).resolves.toEqual({ created: false, tokensRevoked: 1 });
    expect([await one.sessionAccepted(session!), await one.resolveToken(token)]).toEqual([false, undefined]);
    expect([await one.verify(PERSON, PASSWORD), await one.verify(PERSON, 'second-password-2')]).toEqual([false, true]);
    // A sign-in after the reset is good again.
    const later = minutesLater(3);
    expect(await one.sessionAccepted((await sessionsTwo.resolve(await sessionsOne.create(PERSON, later), later))!)).toBe(true);
  });

  test('sessions expire, sign out on either side, and expired ones are dropped when a new one is written', async () => {
    const one = sessionStore(r.a, 60_000);
    const two = sessionsOf(one, r.b);
    const t0 = new Date();
    const old = await one.create(PERSON, t0);
    const kept = await one.create('p-admin', t0);
    expect(await two.resolve(old, minutesLater(2, t0))).toBeUndefined();
    expect((await two.live(t0)).map((s) => s.personId).sort()).toEqual(['p-admin', PERSON]);
    expect(await two.live(minutesLater(2, t0))).toEqual([]);

    await two.destroy(kept);
    expect(await one.resolve(kept, t0)).toBeUndefined();
    expect(await storedSessions(r)).toBe(1);
    const fresh = await one.create(PERSON, minutesLater(2, t0));
    expect(await storedSessions(r)).toBe(1);
    expect(await two.resolve(fresh, minutesLater(2, t0))).toMatchObject({ personId: PERSON });
  });

  test('a token made on one stands for its person on the other until revoked there; a wrong secret is refused', async () => {
    const [one, two] = [accounts(r.a), accounts(r.b)];
    const { id, token } = await one.createToken(PERSON, '周报脚本');
    expect(token).toMatch(new RegExp(`^dt_${id}_[\\w-]{43}$`));
    expect(await two.resolveToken(token)).toBe(PERSON);
    expect(await two.resolveToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await two.resolveToken('dt_nothing')).toBeUndefined();
    expect(JSON.stringify(await two.tokens())).not.toContain(token.slice(16));

    expect(await two.revokeToken(id)).toMatchObject({ id, personId: PERSON, label: '周报脚本', revokedAt: expect.any(String) });
    expect(await two.revokeToken(id)).toBeUndefined();
    expect(await one.resolveToken(token)).toBeUndefined();
  });

  test('logout-all and disable end sessions and tokens for both; a disabled account signs in nowhere and gets no token', async () => {
    const [one, two] = [accounts(r.a), accounts(r.b)];
    await one.setPassword(PERSON, PASSWORD);
    const session = { personId: PERSON, createdAt: minutesLater(1).toISOString() };
    await one.createToken(PERSON, 'a');
    expect(await one.endSessions(PERSON, minutesLater(2))).toEqual({ tokensRevoked: 1 });
    expect([await two.sessionAccepted(session), await two.verify(PERSON, PASSWORD)]).toEqual([false, true]);

    const { token } = await two.createToken(PERSON, 'b');
    expect(await two.disable(PERSON, minutesLater(3))).toEqual({ tokensRevoked: 1 });
    expect(await two.disable('p-nobody')).toBeUndefined();
    expect([await one.verify(PERSON, PASSWORD), await one.resolveToken(token)]).toEqual([false, undefined]);
    expect(await one.sessionAccepted({ personId: PERSON, createdAt: minutesLater(4).toISOString() })).toBe(false);
    await expect(one.createToken(PERSON, 'c')).rejects.toThrow(`${PERSON} 的账号已停用,不能创建令牌`);

    // A new password opens it again.
    await expect(one.setPassword(PERSON, 'reopened-password-3', minutesLater(5))).resolves.toEqual({ created: false, tokensRevoked: 0 });
    expect((await two.get(PERSON))?.disabledAt).toBeUndefined();
    expect(await two.verify(PERSON, 'reopened-password-3')).toBe(true);
  });

  test('changes made at the same time on both sides: one account is opened once, and no token outlives a disable', async () => {
    const [one, two] = [accounts(r.a), accounts(r.b)];
    const opened = await Promise.all([one.setPassword(PERSON, PASSWORD), two.setPassword(PERSON, PASSWORD)]);
    expect(opened.map((o) => o.created).sort()).toEqual([false, true]);

    const made = await Promise.allSettled([
      ...Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).createToken(PERSON, `t${i}`)),
      two.disable(PERSON),
      ...Array.from({ length: 8 }, (_, i) => (i % 2 ? two : one).createToken(PERSON, `u${i}`)),
    ]);
    const tokens = made.flatMap((m) => (m.status === 'fulfilled' && m.value && 'token' in m.value ? [m.value.token] : []));
    expect(await Promise.all(tokens.map((t) => one.resolveToken(t)))).toEqual(tokens.map(() => undefined));
    expect((await two.tokens()).filter((t) => !t.revokedAt)).toEqual([]);
  });

  test('a calendar-feed token made on one opens the feed on the other; re-creating or revoking it anywhere ends it', async () => {
    const [one, two] = [feedTokens(r.a), feedTokens(r.b)];
    const first = await one.create(PERSON);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await two.personFor(first)).toBe(PERSON);
    const second = await two.create(PERSON);
    expect([await one.personFor(first), await one.personFor(second)]).toEqual([undefined, PERSON]);
    expect(await one.list()).toEqual([{ personId: PERSON, createdAt: expect.any(String) }]);
    expect(await two.revoke(PERSON)).toBe(true);
    expect(await one.revoke(PERSON)).toBe(false);
    expect(await one.personFor(second)).toBeUndefined();
    expect(await one.personFor('../../etc/passwd')).toBeUndefined();
  });
});

describe('login attempts on postgres', () => {
  let r: Replicas;
  beforeAll(async () => {
    r = await replicas('postgres');
  });
  afterAll(() => r.close());

  test('both replicas count into one window per client, which starts afresh once it ends', async () => {
    const [one, two] = [loginAttempts(r.a)!, loginAttempts(r.b)!];
    const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).hit('198.51.100.7', 60_000)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(counts.every((c) => c.ttlMs > 0 && c.ttlMs <= 60_000)).toBe(true);
    expect((await one.hit('198.51.100.8', 60_000)).count).toBe(1);

    expect((await two.hit('198.51.100.9', 200)).count).toBe(1);
    expect((await one.hit('198.51.100.9', 200)).count).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await one.hit('198.51.100.9', 200)).toEqual({ count: 1, ttlMs: expect.any(Number) });
  });
});
