import type { Logger } from 'pino';
import type { PgDatabase } from '../store/pg/database';
import type { ChannelResult } from './channel';
import type { LedgerStats, LedgerStore, Prior } from './sendLedger';

/**
 * Rows are kept this long, then deleted. A key only matters while the activity that sends it can still be retried
 * (at most 30 attempts, backoff capped at 10 minutes: about a day), and keys are scoped by workflow run, so nothing
 * later asks about an older one. A month leaves room for a worker fleet stopped over a long holiday.
 */
const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * One statement: what the key held before, and a `pending` row unless it is already `sent`. Both parts see the table
 * as it was when the statement began, so `claimed` false with no `sent` before means another worker recorded it sent
 * in between: asking again reads that result.
 */
const CLAIM = `
WITH prior AS (SELECT state, result FROM send_ledger WHERE key = $1),
claimed AS (
  INSERT INTO send_ledger AS l (key, state) VALUES ($1, 'pending')
  ON CONFLICT (key) DO UPDATE SET state = 'pending', updated_at = now() WHERE l.state <> 'sent'
  RETURNING 1)
SELECT p.state, p.result, EXISTS (SELECT 1 FROM claimed) AS claimed FROM (SELECT 1) AS one LEFT JOIN prior AS p ON true`;

/**
 * The send ledger every worker shares (`DUTY_DATABASE_URL`): a send in doubt on one worker is seen by a retry on
 * another, and a send recorded on one is never repeated by another. Each answer is one query by key, committed
 * before it returns, so no worker holds the ledger in memory. `sent` is final: a late abort or claim from a worker
 * that was slow rather than dead does not overwrite it.
 */
export class PgLedgerStore implements LedgerStore {
  private nextPrune = 0;

  constructor(
    private readonly db: PgDatabase,
    private readonly log?: Logger,
  ) {}

  async claim(key: string): Promise<Prior> {
    this.pruneDaily();
    const { rows } = await this.db.query<{ state: string | null; result: ChannelResult | null; claimed: boolean }>(CLAIM, [key]);
    const row = rows[0]!;
    if (row.state === 'sent') return { state: 'sent', result: row.result! };
    if (!row.claimed) return this.claim(key);
    return row.state === 'pending' ? { state: 'pending' } : undefined;
  }

  async markSent(key: string, result: ChannelResult): Promise<void> {
    await this.db.query("UPDATE send_ledger SET state = 'sent', result = $2, updated_at = now() WHERE key = $1", [key, JSON.stringify(result)]);
  }

  async markAborted(key: string): Promise<void> {
    await this.db.query("UPDATE send_ledger SET state = 'aborted', updated_at = now() WHERE key = $1 AND state <> 'sent'", [key]);
  }

  async stats(): Promise<LedgerStats> {
    const { rows } = await this.db.query<{ sent: number; pending: number }>(
      "SELECT count(*) FILTER (WHERE state = 'sent')::int AS sent, count(*) FILTER (WHERE state = 'pending')::int AS pending FROM send_ledger",
    );
    return rows[0]!;
  }

  /** The pool is the process's (src/store/backend.ts), shared with every other store: it outlives this ledger. */
  close(): void {}

  /** At most once a day per process, beside the send rather than in its way. */
  private pruneDaily(): void {
    const now = Date.now();
    if (now < this.nextPrune) return;
    this.nextPrune = now + DAY_MS;
    this.db
      .query('DELETE FROM send_ledger WHERE created_at < now() - make_interval(days => $1)', [RETENTION_DAYS])
      .catch((err: unknown) => this.log?.warn({ err }, 'send ledger: deleting old rows failed; tried again tomorrow'));
  }
}
