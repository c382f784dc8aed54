import { randomBytes } from 'node:crypto';
import type { StoreBackend } from '../store/backend';
import { sha256 } from './accounts';
import type { SessionRecords, SessionStart } from './records';
import { FileSessionRecords } from './sessionsFile';
import { PgSessionRecords } from './sessionsPg';

const WEEK_MS = 7 * 24 * 3600_000;

/** The sessions of the backend in use: `<dataDir>/auth/sessions.json`, or PostgreSQL shared by every replica. */
export function sessionStore(backend: StoreBackend, ttlMs = WEEK_MS): SessionStore {
  return new SessionStore(backend.kind === 'postgres' ? new PgSessionRecords(backend.db) : new FileSessionRecords(backend.dataDir), ttlMs);
}

/**
 * Cookie sessions, kept by the hash of the cookie value so a restart does not sign everybody out and a leaked copy
 * of the store signs nobody in. The CLI ends sessions through the account store (`sessionsEndedAt`), which the
 * server re-reads on every request, so an account change takes effect at once.
 */
export class SessionStore {
  constructor(
    private readonly records: SessionRecords,
    readonly ttlMs = WEEK_MS,
  ) {}

  async create(personId: string, now = new Date()): Promise<string> {
    const sid = randomBytes(32).toString('base64url');
    await this.records.put(sha256(sid), { personId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + this.ttlMs).toISOString() }, now);
    return sid;
  }

  /** The session behind a cookie, unless it expired; whether its account still accepts it is the account store's call. */
  async resolve(sid: string, now = new Date()): Promise<SessionStart | undefined> {
    const s = await this.records.get(sha256(sid));
    return s && Date.parse(s.expiresAt) > now.getTime() ? { personId: s.personId, createdAt: s.createdAt } : undefined;
  }

  /** Every unexpired session, for the accounts page; signing out or expiry forgets a session, so older sign-ins are unknown. */
  async live(now = new Date()): Promise<SessionStart[]> {
    return (await this.records.all()).filter((s) => Date.parse(s.expiresAt) > now.getTime()).map((s) => ({ personId: s.personId, createdAt: s.createdAt }));
  }

  destroy(sid: string): Promise<void> {
    return this.records.delete(sha256(sid));
  }
}
