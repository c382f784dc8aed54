import type { PgDatabase } from '../store/pg/database';
import type { SessionRecord, SessionRecords } from './records';

interface SessionRow {
  person_id: string;
  created_at: Date;
  expires_at: Date;
}

/** Sessions in PostgreSQL, read afresh on every request: a sign-in on one replica counts on all of them. */
export class PgSessionRecords implements SessionRecords {
  constructor(private readonly db: PgDatabase) {}

  async put(key: string, s: SessionRecord, now: Date): Promise<void> {
    // The sweep rides along with a sign-in, as in the file: one round trip, and it cannot see the row being added.
    await this.db.query(
      `WITH expired AS (DELETE FROM sessions WHERE expires_at <= $5)
       INSERT INTO sessions (sid_sha256, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
      [key, s.personId, s.createdAt, s.expiresAt, now.toISOString()],
    );
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.db.query<SessionRow>('SELECT person_id, created_at, expires_at FROM sessions WHERE sid_sha256 = $1', [key]);
    return rows[0] && sessionOf(rows[0]);
  }

  async all(): Promise<SessionRecord[]> {
    return (await this.db.query<SessionRow>('SELECT person_id, created_at, expires_at FROM sessions')).rows.map(sessionOf);
  }

  async delete(key: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE sid_sha256 = $1', [key]);
  }
}

function sessionOf(r: SessionRow): SessionRecord {
  return { personId: r.person_id, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString() };
}
