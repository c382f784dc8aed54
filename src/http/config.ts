import { UsageError } from '../errors';
import type { HttpOptions } from './types';

export interface HttpListen {
  host: string;
  port: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`环境变量 ${name} 必须是不小于 ${min} 的整数,收到 "${raw}"`);
  return n;
}

/** Loopback by default: the pages hold people's names, so exposing them is an explicit choice (DUTY_HTTP_HOST). */
export function httpSettings(env: NodeJS.ProcessEnv = process.env): { listen: HttpListen; options: HttpOptions } {
  return {
    listen: { host: env.DUTY_HTTP_HOST || '127.0.0.1', port: int(env, 'DUTY_HTTP_PORT', 8080, 0) },
    options: {
      secureCookies: env.DUTY_HTTP_SECURE_COOKIE === 'true',
      loginRateLimit: { max: int(env, 'DUTY_LOGIN_RATE_MAX', 10, 1), timeWindowMs: int(env, 'DUTY_LOGIN_RATE_WINDOW_MS', 60_000, 1000) },
    },
  };
}
