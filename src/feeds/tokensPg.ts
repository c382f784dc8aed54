import type { PgDatabase } from '../store/pg/database';
import type { FeedEntry, FeedTokenRecords } from './tokenRecords';

interface FeedRow {
  person_id: string;
  sha256: string;
  created_at: Date;
}

/** Feed tokens in PostgreSQL: one row per person, replaced in one statement. */
export class PgFeedTokenRecords implements FeedTokenRecords {
  constructor(private readonly db: PgDatabase) {}

  async put(e: FeedEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO feed_tokens (person_id, sha256, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (person_id) DO UPDATE SET sha256 = excluded.sha256, created_at = excluded.created_at`,
      [e.personId, e.sha256, e.createdAt],
    );
  }

  async remove(personId: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM feed_tokens WHERE person_id = $1', [personId])).rowCount ?? 0) > 0;
  }

  async candidates(sha256: string): Promise<FeedEntry[]> {
    return (await this.db.query<FeedRow>('SELECT * FROM feed_tokens WHERE sha256 = $1', [sha256])).rows.map(entryOf);
  }

  async list(): Promise<FeedEntry[]> {
    return (await this.db.query<FeedRow>('SELECT * FROM feed_tokens ORDER BY person_id')).rows.map(entryOf);
  }
}

function entryOf(r: FeedRow): FeedEntry {
  return { personId: r.person_id, sha256: r.sha256, createdAt: r.created_at.toISOString() };
}
