import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { JsonFile } from '../store/jsonFile';
import { sha256, type SessionStart } from './accounts';

interface SessionRecord extends SessionStart {
  expiresAt: string;
}

/**
 * Cookie sessions, kept on disk (by the hash of the cookie value) so a restart does not sign everybody out.
 * Only the server writes this file; the CLI ends sessions through the account store (`sessionsEndedAt`), which the
 * server re-reads on every request, so an account change takes effect at once.
 */
export class SessionStore {
  private readonly file: JsonFile<Record<string, SessionRecord>>;
  private cache?: Record<string, SessionRecord>;

  constructor(
    dataDir: string,
    readonly ttlMs = 7 * 24 * 3600_000,
  ) {
    this.file = new JsonFile(path.join(dataDir, 'auth', 'sessions.json'), () => ({}));
  }

  create(personId: string, now = new Date()): string {
    const sid = randomBytes(32).toString('base64url');
    this.change((all) => {
      // Expired sessions are dropped whenever a new one is written, so the file never grows without bound.
      for (const [k, s] of Object.entries(all)) if (Date.parse(s.expiresAt) <= now.getTime()) delete all[k];
      all[sha256(sid)] = { personId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + this.ttlMs).toISOString() };
      return all;
    });
    return sid;
  }

  /** The session behind a cookie, unless it expired; whether its account still accepts it is the account store's call. */
  resolve(sid: string, now = new Date()): SessionStart | undefined {
    const s = this.all()[sha256(sid)];
    return s && Date.parse(s.expiresAt) > now.getTime() ? { personId: s.personId, createdAt: s.createdAt } : undefined;
  }

  /** Every unexpired session, for the accounts page; signing out or expiry forgets a session, so older sign-ins are unknown. */
  live(now = new Date()): SessionStart[] {
    return Object.values(this.all())
      .filter((s) => Date.parse(s.expiresAt) > now.getTime())
      .map((s) => ({ personId: s.personId, createdAt: s.createdAt }));
  }

  destroy(sid: string): void {
    this.change((all) => {
      delete all[sha256(sid)];
      return all;
    });
  }

  private all(): Record<string, SessionRecord> {
    return (this.cache ??= this.file.read());
  }

  private change(f: (all: Record<string, SessionRecord>) => Record<string, SessionRecord>): void {
    this.cache = f({ ...this.all() });
    this.file.write(this.cache);
  }
}
