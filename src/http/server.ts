import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { Client } from '@temporalio/client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { loginAttempts, type LoginAttempts } from '../auth/loginAttempts';
import { sessionStore, type SessionStore } from '../auth/sessions';
import { httpSettings, type Settings } from '../config';
import { UsageError } from '../errors';
import { signInAccounts, type SignInAccounts } from '../services/accounts';
import { ServerContext } from '../services/serverContext';
import { storeBackend } from '../store/backend';
import { dutyApi } from './api/duties';
import { reportApi } from './api/reports';
import { taskApi } from './api/tasks';
import { taskStepApi } from './api/taskSteps';
import { authHook, authRoutes, loginPage } from './auth';
import { answerClientError, issueText, toHttpError } from './errors';
import { openApiRoutes } from './openapi';
import { assetRoutes } from './pages/assets';
import { assessmentPage } from './pages/assessmentPage';
import { auditPage } from './pages/auditPage';
import { dutiesPages } from './pages/dutiesPage';
import { errorPage } from './pages/layout';
import { myTasksPage } from './pages/myTasks';
import { overduePage } from './pages/overduePage';
import { taskPages } from './pages/taskPage';
import { sharedRateLimitStore } from './loginLimit';
import { registerMultipart } from './multipart';
import { featureRoutes } from './plugins';
import { ApiRegistry, BODY_LIMITS } from './route';
import type { HttpDeps, HttpOptions, RoutePlugin } from './types';

/** The core routes, in registration order. Other features' plugins come from ./plugins.ts. */
export const CORE_ROUTES: RoutePlugin[] = [authRoutes, taskApi, taskStepApi, dutyApi, reportApi, openApiRoutes, assetRoutes, myTasksPage, taskPages, overduePage, assessmentPage, dutiesPages, auditPage];

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

function wantsPage(req: FastifyRequest): boolean {
  return Boolean(req.routeOptions.config?.page) || (!req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html'));
}

function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply, log: Logger): FastifyReply {
  const { status, body, unexpected } = toHttpError(err);
  if (unexpected) log.error({ err, url: req.routeOptions.url }, 'request failed');
  if (status === 429) {
    const wait = Number(reply.getHeader('retry-after') ?? 60);
    body.error = `登录尝试过于频繁,请 ${wait} 秒后再试`;
    if (req.url.startsWith('/login')) return reply.code(429).type('text/html; charset=utf-8').send(loginPage(undefined, body.error));
  }
  if (status === 413) body.error = `${body.error}(最多 ${Math.floor((req.routeOptions.bodyLimit ?? BODY_LIMITS.ceiling) / 1024)} KB)`;
  if (!wantsPage(req)) return reply.code(status).send(body);
  return reply.code(status).type('text/html; charset=utf-8').send(errorPage(body.error, req.principal, body.issues?.map(issueText)));
}

export interface ServerDeps {
  services: ServerContext;
  accounts: SignInAccounts;
  sessions: SessionStore;
  /** Login attempts counted where every replica sees them; absent: in this process's memory. */
  loginAttempts?: LoginAttempts;
  log: Logger;
  options: HttpOptions;
}

export async function buildServer(deps: ServerDeps, plugins: RoutePlugin[] = [...CORE_ROUTES, ...featureRoutes]): Promise<FastifyInstance> {
  // Typed as the base logger so route plugins see the plain FastifyInstance type.
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Off unless DUTY_TRUST_PROXY says which proxy's X-Forwarded-For gives the client address (the login limit's key).
    trustProxy: deps.options.trustProxy ?? false,
    // Task ids are long (duty, period, phase and unit); 100, the default, would turn some into 404s.
    routerOptions: { maxParamLength: 300 },
    // Bodies are bounded per route (413 before parsing): JSON routes through ApiRegistry, anonymous ones below, the rest here.
    bodyLimit: BODY_LIMITS.ceiling,
    // Refusals made before any route runs (a path too long or badly encoded, headers too long) answer in Chinese too.
    frameworkErrors: (err, req, reply) => void sendError(err, req, reply, deps.log),
    clientErrorHandler: answerClientError,
  });
  const full: HttpDeps = { ...deps, api: new ApiRegistry() };
  // Whatever anyone may send without signing in (the login form) gets the small limit unless the route names its own.
  app.addHook('onRoute', (route) => {
    if (route.config?.public && route.bodyLimit === undefined) route.bodyLimit = BODY_LIMITS.form;
  });
  await app.register(formbody);
  await registerMultipart(app, deps.services.settings.evidence);
  await app.register(rateLimit, { global: false, ...(deps.loginAttempts ? { store: sharedRateLimitStore(deps.loginAttempts) } : {}) });
  app.setErrorHandler((err, req, reply) => sendError(err, req, reply, deps.log));
  app.setNotFoundHandler((req, reply) => sendError(Object.assign(new Error('not found'), { statusCode: 404 }), req, reply, deps.log));
  authHook(app, full);
  app.addHook('onSend', async (_req, reply, payload) => {
    // Defaults only: a route that set its own (the feed's `no-referrer`) knows better.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
  // Ids only (path, status, who): query strings and bodies may carry names or figures.
  app.addHook('onResponse', async (req, reply) => {
    deps.log.debug({ method: req.method, route: req.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), personId: req.principal?.personId }, 'http');
  });
  for (const plugin of plugins) await plugin(app, full);
  return app;
}

export interface StartedHttpServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Used by `npm start`: the same Temporal client as the worker's side of the process, settings from the environment. */
export async function startHttpServer(o: { settings: Settings; client: Client; log: Logger; env?: NodeJS.ProcessEnv }): Promise<StartedHttpServer> {
  const { listen, options } = httpSettings(o.env);
  const backend = await storeBackend(o.settings);
  const app = await buildServer({
    services: new ServerContext(o.settings, o.client, o.log),
    accounts: signInAccounts(backend),
    sessions: sessionStore(backend),
    loginAttempts: loginAttempts(backend),
    log: o.log,
    options,
  });
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`网页端口 ${listen.host}:${listen.port} 已被占用,请停止占用它的程序或设置 DUTY_HTTP_PORT`);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, app, close: () => app.close() };
}
