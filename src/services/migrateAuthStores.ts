import { FileAccountRecords } from '../auth/accountsFile';
import { FileSessionRecords } from '../auth/sessionsFile';
import { feedTokenFile } from '../feeds/tokens';
import { FileFeedTokenRecords } from '../feeds/tokensFile';
import { countOf, insertRows, type StoreCopy } from './migrateRows';

/**
 * Accounts, API tokens, sessions and feed tokens, hashes as they are (nobody's password or token is needed). A row the
 * target has already is kept, except that a later change on the source wins: a password reset, a disabled account, a
 * revoked token or a renewed feed after the first run must not leave the old one working on the cluster.
 */

const LATEST = (t: string) => `GREATEST(${t}.updated_at, ${t}.sessions_ended_at, ${t}.disabled_at)`;

export const accountsCopy: StoreCopy = async ({ dataDir }, db) => {
  const all = await new FileAccountRecords(dataDir).list();
  const created = await insertRows(
    db,
    `INSERT INTO accounts (person_id, password_hash, created_at, updated_at, sessions_ended_at, disabled_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at,
       sessions_ended_at = excluded.sessions_ended_at, disabled_at = excluded.disabled_at
     WHERE ${LATEST('excluded')} > ${LATEST('accounts')}`,
    [all.map((a) => a.personId), all.map((a) => a.passwordHash), all.map((a) => a.createdAt), all.map((a) => a.updatedAt), all.map((a) => a.sessionsEndedAt ?? null), all.map((a) => a.disabledAt ?? null)],
  );
  const target = await countOf(db, 'SELECT count(*)::int AS n FROM accounts WHERE person_id = ANY($1::text[])', [all.map((a) => a.personId)]);
  return { label: '账号', source: all.length, target, created };
};

export const tokensCopy: StoreCopy = async ({ dataDir }, db) => {
  const all = await new FileAccountRecords(dataDir).tokens();
  const created = await insertRows(
    db,
    `INSERT INTO api_tokens (id, person_id, label, secret_hash, created_at, revoked_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (id) DO UPDATE SET revoked_at = excluded.revoked_at WHERE api_tokens.revoked_at IS NULL AND excluded.revoked_at IS NOT NULL`,
    [all.map((t) => t.id), all.map((t) => t.personId), all.map((t) => t.label), all.map((t) => t.secretHash), all.map((t) => t.createdAt), all.map((t) => t.revokedAt ?? null)],
  );
  const target = await countOf(db, 'SELECT count(*)::int AS n FROM api_tokens WHERE id = ANY($1::text[])', [all.map((t) => t.id)]);
  return { label: '访问令牌', source: all.length, target, created };
};

/** Unexpired sessions under the same cookie hash: whoever is signed in stays signed in on the cluster's pages. */
export const sessionsCopy: StoreCopy = async ({ dataDir }, db) => {
  const now = Date.now();
  const live = (await new FileSessionRecords(dataDir).entries()).filter(([, s]) => Date.parse(s.expiresAt) > now);
  const keys = live.map(([k]) => k);
  const created = await insertRows(
    db,
    `INSERT INTO sessions (sid_sha256, person_id, created_at, expires_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) ON CONFLICT DO NOTHING`,
    [keys, live.map(([, s]) => s.personId), live.map(([, s]) => s.createdAt), live.map(([, s]) => s.expiresAt)],
  );
  const target = await countOf(db, 'SELECT count(*)::int AS n FROM sessions WHERE sid_sha256 = ANY($1::text[])', [keys]);
  return { label: '登录会话', source: live.length, target, created };
};

export const feedTokensCopy: StoreCopy = async ({ dataDir }, db) => {
  const all = await new FileFeedTokenRecords(feedTokenFile(dataDir)).list();
  const created = await insertRows(
    db,
    `INSERT INTO feed_tokens (person_id, sha256, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
     ON CONFLICT (person_id) DO UPDATE SET sha256 = excluded.sha256, created_at = excluded.created_at WHERE excluded.created_at > feed_tokens.created_at`,
    [all.map((e) => e.personId), all.map((e) => e.sha256), all.map((e) => e.createdAt)],
  );
  const target = await countOf(db, 'SELECT count(*)::int AS n FROM feed_tokens WHERE person_id = ANY($1::text[])', [all.map((e) => e.personId)]);
  return { label: '日历订阅', source: all.length, target, created };
};
