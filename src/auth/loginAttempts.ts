import type { StoreBackend } from '../store/backend';
import type { PgDatabase } from '../store/pg/database';

/** Sign-in attempts per client within a window: what the login rate limit counts. */
export interface LoginAttempts {
  /** Counts one more attempt; how many the window holds now, and how long until it ends. */
  hit(client: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
}

/**
 * Shared counters when the database is in use, so a client spreading its guesses over the replicas meets one limit.
 * Undefined with files: the single server counts in its own memory.
 */
export function loginAttempts(backend: StoreBackend): LoginAttempts | undefined {
  return backend.kind === 'postgres' ? new PgLoginAttempts(backend.db) : undefined;
}

/**
 * One row per client, counted in a single statement (no read-modify-write between replicas). Windows run on the
 * database's clock, which every replica shares; each attempt also sweeps away other clients' ended windows.
 */
export class PgLoginAttempts implements LoginAttempts {
  constructor(private readonly db: PgDatabase) {}

  async hit(client: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const { rows } = await this.db.query<{ hits: number; ttl_ms: number }>(
      `WITH ended AS (DELETE FROM login_attempts WHERE window_ends <= now() AND client <> $1)
       INSERT INTO login_attempts AS a (client, hits, window_ends) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (client) DO UPDATE SET
         hits = CASE WHEN a.window_ends <= now() THEN 1 ELSE a.hits + 1 END,
         window_ends = CASE WHEN a.window_ends <= now() THEN excluded.window_ends ELSE a.window_ends END
       RETURNING hits, ceil(extract(epoch FROM window_ends - now()) * 1000)::integer AS ttl_ms`,
      [client, windowMs],
    );
    const row = rows[0]!;
    return { count: row.hits, ttlMs: row.ttl_ms };
  }
}
