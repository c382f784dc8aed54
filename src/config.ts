import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors';
import { EVIDENCE_DEFAULTS } from './shared/evidence';
import { YELLOW_WITHIN_DEFAULT } from './shared/taskStates';
import type { LocalTime } from './shared/types';

/**
 * The one reader of the environment. Every setting is parsed and checked here, so a bad value stops the process with
 * a Chinese message naming the variable, and no other module reads `process.env`.
 * Each function takes the environment as a parameter (tests pass their own) and defaults to the process's.
 */
export const REPO_ROOT = path.resolve(__dirname, '..');

export type Env = Readonly<Record<string, string | undefined>>;

/** The process environment, for the few readers of variables whose names come from elsewhere (roster robots, envconfig). */
export function processEnv(): Env {
  return process.env;
}

const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function refuse(name: string, rule: string, raw: string | undefined): never {
  throw new UsageError(`环境变量 ${name} ${rule},实际为 ${JSON.stringify(raw)}`);
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw);
  return parsed.success ? parsed.data : refuse(name, `必须是 ${min}–${max === Number.MAX_SAFE_INTEGER ? '∞' : max} 的整数`, raw);
}

function flag(env: Env, name: string, fallback = false): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return refuse(name, '必须是 true 或 false', raw);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  return (values as readonly string[]).includes(raw) ? (raw as T) : refuse(name, `必须是 ${values.join(' | ')} 之一`, raw);
}

function dir(env: Env, name: string, fallback: string): string {
  return path.resolve(text(env, name) ?? fallback);
}

/** Paths and names shared by `npm start`, the worker, the HTTP server and the CLI. */
export function settings(env: Env = process.env) {
  const dataDir = dir(env, 'DUTY_DATA_DIR', path.join(REPO_ROOT, '.data'));
  return {
    dataDir,
    catalogDir: dir(env, 'DUTY_CATALOG_DIR', path.join(REPO_ROOT, 'catalog', 'default')),
    outboxDir: dir(env, 'DUTY_OUTBOX_DIR', path.join(dataDir, 'outbox')),
    /** Set: that file must exist; unset: `data/holidays.json`, which may be missing. */
    holidaysFile: text(env, 'DUTY_HOLIDAYS_FILE'),
    taskQueue: text(env, 'DUTY_TASK_QUEUE') ?? 'duty-engine',
    /**
     * Sleeping tasks are replayed on wake-up, so the cache only needs the busy ones, which the worker's concurrency
     * bounds. Measured with 1k/10k/50k open tasks: RSS ~400 MB at 250, 600–740 MB at 1000 (docs/performance.md).
     */
    maxCachedWorkflows: int(env, 'DUTY_MAX_CACHED_WORKFLOWS', 250, 1),
    /** Off only for demos and end-to-end tests that run at any hour; urgent duties ignore it anyway. */
    quietHours: oneOf(env, 'DUTY_QUIET_HOURS', ['on', 'off'], 'on') === 'on',
    /** The embedded dev server of `npm start`. */
    devServer: { port: int(env, 'DUTY_DEV_PORT', 7233, 1, 65535), uiPort: int(env, 'DUTY_DEV_UI_PORT', 8233, 1, 65535) },
    evidence: evidenceLimits(env),
    /** Traffic lights (红黄绿灯): yellow once at most this many working days are left before the deadline. */
    lightYellowDays: int(env, 'DUTY_LIGHT_YELLOW_DAYS', YELLOW_WITHIN_DEFAULT, 0, 30),
    pacing: pacingLimits(env),
    /** Set: accounts, sessions, audit, ledger and the other stores live in this PostgreSQL, shared by every replica. */
    databaseUrl: databaseUrl(env),
  };
}

function databaseUrl(env: Env): string | undefined {
  const raw = text(env, 'DUTY_DATABASE_URL');
  if (raw === undefined) return undefined;
  return /^postgres(?:ql)?:\/\/[^/\s]+\/[^/\s]+$/.test(raw.split('?')[0]!) ? raw : refuse('DUTY_DATABASE_URL', '必须形如 postgresql://用户:密码@主机:端口/数据库', raw.replace(/:[^:@/]*@/, ':***@'));
}

/**
 * Sends a minute the worker allows itself per chat robot webhook and to the SMTP relay (0: unlimited). WeCom and
 * DingTalk both document 20 messages a minute per robot; a relay's limit is its operator's.
 */
function pacingLimits(env: Env): { robotPerMinute: number; smtpPerMinute: number } {
  return { robotPerMinute: int(env, 'DUTY_ROBOT_PER_MINUTE', 20, 1, 10_000), smtpPerMinute: int(env, 'DUTY_SMTP_PER_MINUTE', 0, 0, 1_000_000) };
}

/** Evidence files (佐证材料) per completion or progress report; a request holds them in memory, so both stay bounded. */
function evidenceLimits(env: Env): { maxFiles: number; maxFileBytes: number } {
  const megabytes = int(env, 'DUTY_EVIDENCE_MAX_MB', EVIDENCE_DEFAULTS.maxMegabytes, 1, 100);
  return { maxFiles: int(env, 'DUTY_EVIDENCE_MAX_FILES', EVIDENCE_DEFAULTS.maxFiles, 1, 50), maxFileBytes: megabytes * 1024 * 1024 };
}

export type Settings = ReturnType<typeof settings>;

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
  /** Plain text even if the server offers STARTTLS: only for a relay on the same machine or a test sink. */
  ignoreTls?: boolean;
}

/** SMTP settings; undefined when no SMTP host is configured (mail then goes to the outbox). */
export function smtpConfigFromEnv(env: Env = process.env): SmtpConfig | undefined {
  const host = text(env, 'SMTP_HOST');
  if (!host) return undefined;
  const secure = flag(env, 'SMTP_SECURE');
  return {
    host,
    port: int(env, 'SMTP_PORT', 587, 1, 65535),
    secure,
    user: text(env, 'SMTP_USER'),
    pass: env.SMTP_PASS,
    from: text(env, 'SMTP_FROM') ?? '沅江市乡村振兴局职责提醒 <duty@example.org>',
    ignoreTls: !secure && flag(env, 'SMTP_IGNORE_TLS'),
  };
}

export interface DigestConfig {
  /** Local time (Asia/Shanghai) the digest goes out on working days. */
  at: LocalTime;
  /** "Due soon": due within this many working days after the digest day. */
  dueWithinWorkingDays: number;
}

/** `DUTY_DIGEST_AT` (08:30) and `DUTY_DIGEST_DUE_WITHIN` (3 working days). The time must lie in working hours. */
export function digestConfigFromEnv(env: Env = process.env): DigestConfig {
  const at = text(env, 'DUTY_DIGEST_AT') ?? '08:30';
  if (!CLOCK.test(at) || at < '08:00' || at > '18:00') {
    throw new UsageError(`DUTY_DIGEST_AT 必须是工作时间 08:00–18:00 内的 HH:mm, 实际为 ${JSON.stringify(at)}`);
  }
  const within = Number(env.DUTY_DIGEST_DUE_WITHIN ?? 3);
  if (!Number.isInteger(within) || within < 0 || within > 30) {
    throw new UsageError(`DUTY_DIGEST_DUE_WITHIN 必须是 0–30 的整数 (工作日), 实际为 ${JSON.stringify(env.DUTY_DIGEST_DUE_WITHIN)}`);
  }
  return { at, dueWithinWorkingDays: within };
}

export interface HttpConfig {
  listen: { host: string; port: number };
  options: {
    /** Set the Secure flag on the session cookie; turn on behind HTTPS. */
    secureCookies: boolean;
    loginRateLimit: { max: number; timeWindowMs: number };
    /** Whose X-Forwarded-For to believe for the client address (fastify's `trustProxy`); absent: nobody's. */
    trustProxy?: TrustProxy;
  };
}

/** Every hop (`true`), none (`false`), or the proxies' addresses and CIDR ranges. */
export type TrustProxy = boolean | string[];

/** Names proxy-addr (behind fastify's `trustProxy`) knows besides addresses. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** `DUTY_TRUST_PROXY`: off unless set, since believing X-Forwarded-For from anyone lets every client pick its own address. */
function trustProxy(env: Env): TrustProxy {
  const name = 'DUTY_TRUST_PROXY';
  const raw = text(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  // Fastify 5 ignores a hop count (it cannot tell the proxy from a client that connects directly): refuse it.
  if (/^\d+$/.test(raw)) refuse(name, '不支持跳数,请写明代理的地址(如 127.0.0.1)', raw);
  const entries = raw.split(',').map((e) => e.trim());
  return entries.every(isProxyAddress) ? entries : refuse(name, '必须是 true、false 或以逗号分隔的代理地址/CIDR(如 127.0.0.1,10.0.0.0/8)', raw);
}

/** Loopback by default: the pages hold people's names, so exposing them is an explicit choice (DUTY_HTTP_HOST). */
export function httpSettings(env: Env = process.env): HttpConfig {
  return {
    listen: { host: text(env, 'DUTY_HTTP_HOST') ?? '127.0.0.1', port: int(env, 'DUTY_HTTP_PORT', 8080, 0, 65535) },
    options: {
      secureCookies: env.DUTY_HTTP_SECURE_COOKIE === 'true',
      loginRateLimit: { max: int(env, 'DUTY_LOGIN_RATE_MAX', 10, 1), timeWindowMs: int(env, 'DUTY_LOGIN_RATE_WINDOW_MS', 60_000, 1000) },
      trustProxy: trustProxy(env),
    },
  };
}

/**
 * Where people reach the server (`DUTY_PUBLIC_URL`), for links in feeds and notices; no trailing slash. Unset, it is the address
 * the server listens on, so a URL printed on the server's machine connects there.
 */
export function publicBaseUrl(env: Env = process.env): string {
  const configured = text(env, 'DUTY_PUBLIC_URL');
  if (configured) return configured.replace(/\/+$/, '');
  const { host, port } = httpSettings(env).listen;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const SDK_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export function logSettings(env: Env = process.env) {
  return {
    level: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    /** `json` forces JSON on a terminal too. */
    json: env.LOG_FORMAT === 'json',
    /** The Temporal SDK's and core's own logs, routed through pino. */
    sdkLevel: oneOf(env, 'TEMPORAL_LOG_LEVEL', SDK_LOG_LEVELS, 'WARN'),
  };
}

/** Payload encryption keys, as given; src/temporal/payloadKeys.ts checks and decodes them. */
export function payloadKeySettings(env: Env = process.env) {
  return { key: text(env, 'DUTY_PAYLOAD_KEY'), keyId: text(env, 'DUTY_PAYLOAD_KEY_ID'), oldKeys: env.DUTY_PAYLOAD_OLD_KEYS ?? '' };
}
