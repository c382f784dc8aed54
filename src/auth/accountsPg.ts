import type { PgDatabase } from '../store/pg/database';
import type { AccountChange, AccountRecord, AccountRecords, TokenRecord } from './records';

interface AccountRow {
  person_id: string;
  password_hash: string;
  created_at: Date;
  updated_at: Date;
  sessions_ended_at: Date | null;
  disabled_at: Date | null;
}

interface TokenRow {
  id: string;
  person_id: string;
  label: string;
  secret_hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** The first key of the two-key advisory locks that stand for one person's account (the second: hash of the id). */
const ACCOUNT_LOCK = 0x61636374;

/** Accounts and tokens in PostgreSQL, shared by every replica and the CLI; each change to a person is one transaction. */
export class PgAccountRecords implements AccountRecords {
  constructor(private readonly db: PgDatabase) {}

  async get(personId: string): Promise<AccountRecord | undefined> {
    const { rows } = await this.db.query<AccountRow>('SELECT * FROM accounts WHERE person_id = $1', [personId]);
    return rows[0] && accountOf(rows[0]);
  }

  async list(): Promise<AccountRecord[]> {
    return (await this.db.query<AccountRow>('SELECT * FROM accounts')).rows.map(accountOf);
  }

  async tokens(): Promise<TokenRecord[]> {
    return (await this.db.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, id')).rows.map(tokenOf);
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.db.query<TokenRow>('SELECT * FROM api_tokens WHERE id = $1', [id]);
    return rows[0] && tokenOf(rows[0]);
  }

  change(personId: string, at: string, decide: (account: AccountRecord | undefined) => AccountChange | undefined): Promise<{ before?: AccountRecord; tokensRevoked: number }> {
    return this.db.transaction(async (c) => {
      // A lock on the person rather than on the row: it also holds when the account does not exist yet.
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ACCOUNT_LOCK, personId]);
      const { rows } = await c.query<AccountRow>('SELECT * FROM accounts WHERE person_id = $1', [personId]);
      const before = rows[0] && accountOf(rows[0]);
      const change = decide(before);
      if (!change) return { before, tokensRevoked: 0 };
      const { account, revokeTokens, addToken: t } = change;
      if (account) {
        await c.query(
          `INSERT INTO accounts (person_id, password_hash, created_at, updated_at, sessions_ended_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, created_at = excluded.created_at, updated_at = excluded.updated_at,
             sessions_ended_at = excluded.sessions_ended_at, disabled_at = excluded.disabled_at`,
          [personId, account.passwordHash, account.createdAt, account.updatedAt, account.sessionsEndedAt ?? null, account.disabledAt ?? null],
        );
      }
      const revoked = revokeTokens ? await c.query('UPDATE api_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL', [personId, at]) : undefined;
      if (t) await c.query('INSERT INTO api_tokens (id, person_id, label, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [t.id, t.personId, t.label, t.secretHash, t.createdAt]);
      return { before, tokensRevoked: revoked?.rowCount ?? 0 };
    });
  }

  async revokeToken(id: string, at: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.db.query<TokenRow>('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING *', [id, at]);
    return rows[0] && tokenOf(rows[0]);
  }
}

function accountOf(r: AccountRow): AccountRecord {
  return {
    personId: r.person_id,
    passwordHash: r.password_hash,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    ...(r.sessions_ended_at ? { sessionsEndedAt: r.sessions_ended_at.toISOString() } : {}),
    ...(r.disabled_at ? { disabledAt: r.disabled_at.toISOString() } : {}),
  };
}

function tokenOf(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    personId: r.person_id,
    label: r.label,
    secretHash: r.secret_hash,
    createdAt: r.created_at.toISOString(),
    ...(r.revoked_at ? { revokedAt: r.revoked_at.toISOString() } : {}),
  };
}
