import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalFor, type Principal } from '../auth/principal';
import { ForbiddenError } from '../auth/policy';
import { DutyError, UsageError } from '../errors';
import { clearCookie, readCookie, setCookie } from './cookies';
import { NotSignedInError } from './errors';
import { html } from './pages/html';
import { homeOf, renderPage } from './pages/layout';
import { parsePart } from './route';
import type { HttpDeps } from './types';
import { noAccountHint } from '../shared/taskLink';

export const SESSION_COOKIE = 'duty_sid';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The same words whether the id is unknown, has no account or the password is wrong. */
class LoginFailedError extends NotSignedInError {
  override name = 'LoginFailedError';
  constructor() {
    super('人员编号或密码错误');
  }
}

const CROSS_SITE = '请求来源与本站不符,已拒绝';

/**
 * Resolves who is calling (bearer token first, then the session cookie) and turns anonymous callers away. Every
 * answer that depends on who asks is marked `no-store`, so Back after signing out shows nothing from the cache.
 */
export function authHook(app: FastifyInstance, deps: HttpDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    req.principal = await identify(req, deps);
    const config = req.routeOptions.config;
    // Login too: a cross-site form that signs the victim in as the attacker is as harmful as one that acts as the victim.
    if (req.principal?.via !== 'token' && UNSAFE.has(req.method) && !sameOrigin(req)) {
      if (req.routeOptions.url === '/login') return reply.code(403).type('text/html; charset=utf-8').send(loginPage(undefined, CROSS_SITE));
      throw new ForbiddenError(CROSS_SITE);
    }
    if (config.public || req.principal) return;
    if (config.page && req.method === 'GET') return reply.code(303).header('location', `/login?next=${encodeURIComponent(req.url)}`).send();
    throw new NotSignedInError();
  });
  // Only a route that chose its own caching (the fingerprinted stylesheet, the feed) keeps it.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

async function identify(req: FastifyRequest, deps: HttpDeps): Promise<Principal | undefined> {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    // A wrong token is not silently downgraded to the cookie: the script should learn its token is bad.
    const personId = await deps.accounts.resolveToken(auth.slice(7).trim());
    return personId ? principalFor(await deps.services.tree(), personId, 'token') : undefined;
  }
  const sid = readCookie(req, SESSION_COOKIE);
  const session = sid ? await deps.sessions.resolve(sid) : undefined;
  // Re-checked on every request: a password reset, `logout-all` or `disable` from the CLI ends the session at once.
  return session && (await deps.accounts.sessionAccepted(session)) ? principalFor(await deps.services.tree(), session.personId, 'session') : undefined;
}

/**
 * Cookies ride along on cross-site posts in old browsers: a browser that says the request came from another site
 * (Sec-Fetch-Site), or an Origin naming another host, is refused. Clients that send neither (curl, scripts) pass.
 */
function sameOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
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
  const sid = await deps.sessions.create(personId);
  setCookie(reply, SESSION_COOKIE, sid, { secure: deps.options.secureCookies, maxAgeSeconds: Math.floor(deps.sessions.ttlMs / 1000) });
  return principal;
}

async function signOut(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps): Promise<void> {
  const sid = readCookie(req, SESSION_COOKIE);
  if (sid) await deps.sessions.destroy(sid);
  clearCookie(reply, SESSION_COOKIE, deps.options.secureCookies);
}

/** Any origin serves: only whether a path resolves to the same one matters, and only the path is kept. */
const SELF = new URL('http://duty.invalid');

/**
 * Where to go after signing in: one of this site's own pages, as a browser would read the path (WHATWG URL, which
 * drops tabs and newlines and turns `/\\` into `//`), re-encoded so it is always a valid header. Anything else: home.
 */
function safeNext(next: unknown, pages: RegExp[]): string | undefined {
  if (typeof next !== 'string' || !next.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(next, SELF);
  } catch {
    return undefined;
  }
  return url.origin === SELF.origin && pages.some((p) => p.test(url.pathname)) ? `${url.pathname}${url.search}` : undefined;
}

/** `/tasks/:taskId` → /^\/tasks\/[^/]+$/: a parameter is one non-empty path segment. */
function pathPattern(route: string): RegExp {
  const parts = route.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}$`);
}

/** The GET pages registered from here on (authRoutes comes first, so that is all of them): what `next=` may name. */
function collectPages(app: FastifyInstance): RegExp[] {
  const pages: RegExp[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.page && [route.method].flat().includes('GET')) pages.push(pathPattern(route.url));
  });
  return pages;
}

const MeResponse = z.object({ personId: z.string(), name: z.string(), role: z.enum(['admin', 'supervisor', 'cadre']), unitId: z.string() });

export function authRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const pages = collectPages(app);
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
      await signOut(req, reply, deps);
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
    const next = safeNext((req.query as Record<string, unknown>).next, pages);
    return reply.type('text/html; charset=utf-8').send(loginPage(next));
  });
  app.post('/login', { config: { public: true }, onRequest: limiter }, async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(form.next, pages);
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
    await signOut(req, reply, deps);
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
  <label class="field"><span>人员编号 <small>(开通账号时管理员告知的编号,如 p-xhz-cadre1,不是身份证号或手机号)</small></span><input name="personId" autocomplete="username" value="${personId}" autocapitalize="off"></label>
  <label class="field"><span>密码</span><input name="password" type="password" autocomplete="current-password"></label>
  ${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
  <button type="submit">登录</button>
  <p class="muted">${noAccountHint()}</p>
</form>`,
  });
}
