import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { LoginAttempts } from '../auth/loginAttempts';

/**
 * @fastify/rate-limit's `store` over counters every replica shares. The plugin makes one, then a child per limiter;
 * the server has a single limiter (login), so the children are the store itself.
 */
export function sharedRateLimitStore(attempts: LoginAttempts): FastifyRateLimitStoreCtor {
  return class SharedRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      attempts.hit(key, timeWindow).then(
        ({ count, ttlMs }) => done(null, { current: count, ttl: ttlMs }),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
