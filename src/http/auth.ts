import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalFor, type Principal } from '../auth/principal';
import { ROLE_NAMES } from '../auth/policy';
import { DutyError, UsageError } from '../errors';
import { clearCookie, readCookie, setCookie } from './cookies';
import { NotSignedInError } from './errors';
import { html } from './pages/html';
import { homeOf, renderPage } from './pages/layout';
import { parsePart } from './route';
import type { HttpDeps } from './types';

export const SESSION_COOKIE = 'duty_sid';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The same words whether the id is unknown, has no account or the password is wrong. */
class LoginFailedError extends NotSignedInError {
  override name = 'LoginFailedError';
  constructor() {
    super('人员编号或密码错误');
  }
}

/** Resolves who is calling (bearer token first, then the session cookie) and turns anonymous callers away. */
export function authHook(app: FastifyInstance, deps: HttpDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    req.principal = await identify(req, deps);
    const config = req.routeOptions.config;
    if (req.principal?.via === 'session' && UNSAFE.has(req.method) && !sameOrigin(req)) {
      return reply.code(403).type('application/json; charset=utf-8').send({ error: '请求来源与本站不符,已拒绝' });
    }
    if (config.public || req.principal) return;
    if (config.page && req.method === 'GET') return reply.code(303).header('location', `/login?next=${encodeURIComponent(req.url)}`).send();
    throw new NotSignedInError();
  });
}

async function identify(req: FastifyRequest, deps: HttpDeps): Promise<Principal | undefined> {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    // A wrong token is not silently downgraded to the cookie: the script should learn its token is bad.
    const personId = deps.accounts.resolveToken(auth.slice(7).trim());
    return personId ? principalFor(await deps.services.tree(), personId, 'token') : undefined;
  }
  const sid = readCookie(req, SESSION_COOKIE);
  const personId = sid ? deps.sessions.resolve(sid) : undefined;
  return personId ? principalFor(await deps.services.tree(), personId, 'session') : undefined;
}

/** Cookies ride along on cross-site posts in old browsers; an Origin naming another host is refused. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const LoginBody = z.strictObject({
  personId: z.string().trim().min(1, '请输入人员编号').max(64),
  password: z.string().min(1, '请输入密码').max(200),
});

async function signIn(deps: HttpDeps, personId: string, password: string, reply: FastifyReply): Promise<Principal> {
  const tree = await deps.services.tree();
  const ok = await deps.accounts.verify(personId, password);
  const principal = ok ? principalFor(tree, personId, 'session') : undefined;
  // Only ids that exist are logged: a password typed into the id field must not end up in the log.
  deps.log.info({ personId: tree.hasPerson(personId) ? personId : undefined, ok: Boolean(principal) }, 'login');
  if (!principal) throw new LoginFailedError();
  const sid = deps.sessions.create(personId);
  setCookie(reply, SESSION_COOKIE, sid, { secure: deps.options.secureCookies, maxAgeSeconds: Math.floor(deps.sessions.ttlMs / 1000) });
  return principal;
}

function signOut(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps): void {
  const sid = readCookie(req, SESSION_COOKIE);
  if (sid) deps.sessions.destroy(sid);
  clearCookie(reply, SESSION_COOKIE, deps.options.secureCookies);
}

/** Only paths on this site, so the login form cannot be turned into a redirect to somewhere else. */
function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : undefined;
}

const MeResponse = z.object({ personId: z.string(), name: z.string(), role: z.enum(['admin', 'supervisor', 'cadre']), unitId: z.string() });

export function authRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // One limiter (one counter per client address) for the page form and the API alike.
  const limiter = app.rateLimit({ max: deps.options.loginRateLimit.max, timeWindow: deps.options.loginRateLimit.timeWindowMs });
  deps.api.add(app, {
    method: 'POST',
    url: '/api/login',
    tag: '登录',
    summary: '用人员编号和密码登录,设置会话 Cookie(按来源 IP 限制频率)',
    access: 'public',
    body: LoginBody,
    response: MeResponse,
    onRequest: limiter,
    handler: async ({ body, reply }) => {
      const p = await signIn(deps, body.personId, body.password, reply);
      return { personId: p.personId, name: p.name, role: p.role, unitId: p.unitId };
    },
  });
  deps.api.add(app, {
    method: 'POST',
    url: '/api/logout',
    tag: '登录',
    summary: '退出登录',
    access: 'signed-in',
    handler: async ({ req, reply }) => {
      signOut(req, reply, deps);
      return { ok: true };
    },
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/me',
    tag: '登录',
    summary: '当前登录的人员与角色',
    access: 'signed-in',
    response: MeResponse,
    handler: async ({ principal }) => principal && { personId: principal.personId, name: principal.name, role: principal.role, unitId: principal.unitId },
  });

  app.get('/login', { config: { public: true } }, async (req, reply) => {
    const next = safeNext((req.query as Record<string, unknown>).next);
    return reply.type('text/html; charset=utf-8').send(loginPage(next));
  });
  app.post('/login', { config: { public: true }, onRequest: limiter }, async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(form.next);
    try {
      const body = parsePart(LoginBody, { personId: form.personId, password: form.password }, 'form');
      const p = await signIn(deps, body.personId, body.password, reply);
      return reply.code(303).header('location', next ?? homeOf(p.role)).send();
    } catch (err) {
      if (!(err instanceof DutyError)) throw err;
      const message = err instanceof LoginFailedError ? err.message : err instanceof UsageError ? err.message : '请输入人员编号和密码';
      return reply.code(err instanceof LoginFailedError ? 401 : 400).type('text/html; charset=utf-8').send(loginPage(next, message, String(form.personId ?? '')));
    }
  });
  app.post('/logout', async (req, reply) => {
    signOut(req, reply, deps);
    return reply.code(303).header('location', '/login').send();
  });
  app.get('/', { config: { page: true } }, async (req, reply) => reply.code(303).header('location', homeOf(req.principal?.role ?? 'cadre')).send());
}

export function loginPage(next?: string, error?: string, personId = ''): string {
  return renderPage({
    title: '登录',
    body: html`<form class="login" method="post" action="/login">
  <h1>登录</h1>
  ${error ? html`<div class="error" role="alert">${error}</div>` : ''}
  <label class="field"><span>人员编号</span><input name="personId" autocomplete="username" value="${personId}" autocapitalize="off"></label>
  <label class="field"><span>密码</span><input name="password" type="password" autocomplete="current-password"></label>
  ${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
  <button type="submit">登录</button>
  <p class="muted">账号由管理员开通(${ROLE_NAMES.admin}用 duty user set-password)。</p>
</form>`,
  });
}
