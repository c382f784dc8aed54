import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { UsageError } from '../errors';
import type { StoreBackend } from '../store/backend';
import { FileAccountRecords } from './accountsFile';
import { PgAccountRecords } from './accountsPg';
import type { AccountRecord, AccountRecords, SessionStart, TokenRecord } from './records';

export type { AccountRecord, SessionStart, TokenRecord } from './records';

export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_BYTES = 72; // bcrypt ignores everything after 72 bytes; refusing is clearer than truncating.

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`密码(password)至少 ${MIN_PASSWORD_LENGTH} 位`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new UsageError(`密码(password)最长 ${MAX_PASSWORD_BYTES} 字节`);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const TOKEN_PREFIX = 'dt';
const TOKEN_SHAPE = /^dt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The accounts of the backend in use: `<dataDir>/auth/accounts.json`, or PostgreSQL shared by every replica. */
export function accountStore(backend: StoreBackend, bcryptCost?: number): AccountStore {
  return new AccountStore(backend.kind === 'postgres' ? new PgAccountRecords(backend.db) : new FileAccountRecords(backend.dataDir), bcryptCost);
}

/**
 * Accounts (bcrypt password hashes) and bearer tokens. Every check reads the records afresh, so `duty user …` run
 * beside a live server, or a change made through another replica, takes effect at once.
 */
export class AccountStore {
  /** Compared against when the account does not exist, so a wrong id costs as long as a wrong password. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly records: AccountRecords,
    private readonly bcryptCost = 11,
  ) {}

  get(personId: string): Promise<AccountRecord | undefined> {
    return this.records.get(personId);
  }

  async list(): Promise<AccountRecord[]> {
    return (await this.records.list()).sort((a, b) => a.personId.localeCompare(b.personId));
  }

  /**
   * Opens an account, or resets its password and opens it again if it was disabled. A reset also ends every session
   * and token of the person: whoever knew the old password may have signed in with it.
   */
  async setPassword(personId: string, password: string, now = new Date()): Promise<{ created: boolean; tokensRevoked: number }> {
    checkPassword(password);
    const passwordHash = await bcrypt.hash(password, this.bcryptCost);
    const at = now.toISOString();
    const { before, tokensRevoked } = await this.records.change(personId, at, (existing) =>
      existing
        ? { account: { personId, passwordHash, createdAt: existing.createdAt, updatedAt: at, sessionsEndedAt: at }, revokeTokens: true }
        : { account: { personId, passwordHash, createdAt: at, updatedAt: at } },
    );
    return { created: !before, tokensRevoked };
  }

  /** Ends every session and revokes every token of the person at once; the password stays. */
  async endSessions(personId: string, now = new Date()): Promise<{ tokensRevoked: number }> {
    const at = now.toISOString();
    const { tokensRevoked } = await this.records.change(personId, at, (account) => ({ ...(account ? { account: { ...account, sessionsEndedAt: at } } : {}), revokeTokens: true }));
    return { tokensRevoked };
  }

  /** No more signing in, and every session and token ends now. Undefined when the person has no account. */
  async disable(personId: string, now = new Date()): Promise<{ tokensRevoked: number } | undefined> {
    const at = now.toISOString();
    const { before, tokensRevoked } = await this.records.change(personId, at, (account) =>
      account ? { account: { ...account, disabledAt: account.disabledAt ?? at, sessionsEndedAt: at }, revokeTokens: true } : undefined,
    );
    return before ? { tokensRevoked } : undefined;
  }

  async verify(personId: string, password: string): Promise<boolean> {
    const account = await this.get(personId);
    if (!account || account.disabledAt) {
      // A disabled account costs a comparison too, so the time taken does not tell it apart from a wrong password.
      this.dummyHash ??= bcrypt.hash('not-a-password', this.bcryptCost);
      await bcrypt.compare(password, await this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, account.passwordHash);
  }

  async sessionAccepted(session: SessionStart): Promise<boolean> {
    return acceptsSession(await this.get(session.personId), session);
  }

  /** Returns the whole token once; only its hash is kept. */
  async createToken(personId: string, label: string, now = new Date()): Promise<{ id: string; token: string }> {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const at = now.toISOString();
    // Decided with the account held: a `disable` running at the same time either comes first and refuses, or revokes it.
    await this.records.change(personId, at, (account) => {
      if (account?.disabledAt) throw new UsageError(`${personId} 的账号已停用,不能创建令牌;重新启用请用 duty user set-password ${personId}`);
      return { addToken: { id, personId, label, secretHash: sha256(secret), createdAt: at } };
    });
    return { id, token: `${TOKEN_PREFIX}_${id}_${secret}` };
  }

  tokens(): Promise<TokenRecord[]> {
    return this.records.tokens();
  }

  revokeToken(id: string, now = new Date()): Promise<TokenRecord | undefined> {
    return this.records.revokeToken(id, now.toISOString());
  }

  /** The person a bearer token stands for, if it is known and not revoked. */
  async resolveToken(token: string): Promise<string | undefined> {
    // The secret is base64url, which may itself contain "_", so the shape is matched as a whole.
    const [, id, secret] = TOKEN_SHAPE.exec(token) ?? [];
    if (!id || !secret) return undefined;
    const record = await this.records.token(id);
    if (!record || record.revokedAt) return undefined;
    const a = Buffer.from(sha256(secret), 'hex');
    const b = Buffer.from(record.secretHash, 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? record.personId : undefined;
  }
}

/** A session stays valid while its account is open and was not told to end all sessions after it began. */
export function acceptsSession(account: AccountRecord | undefined, session: SessionStart): boolean {
  if (!account || account.disabledAt) return false;
  return !account.sessionsEndedAt || Date.parse(session.createdAt) > Date.parse(account.sessionsEndedAt);
}
