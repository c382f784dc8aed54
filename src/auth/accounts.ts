import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { UsageError } from '../errors';
import { JsonFile } from '../store/jsonFile';

export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_BYTES = 72; // bcrypt ignores everything after 72 bytes; refusing is clearer than truncating.

export interface AccountRecord {
  personId: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
  /** Sessions begun at or before this instant are over: set by a password reset, `logout-all` and `disable`. */
  sessionsEndedAt?: string;
  /** A disabled account cannot sign in; a new password (set-password) opens it again. */
  disabledAt?: string;
}

/** What `sessionAccepted` needs to know about a session. */
export interface SessionStart {
  personId: string;
  createdAt: string;
}

export interface TokenRecord {
  id: string;
  personId: string;
  label: string;
  /** SHA-256 of the secret: a token is random enough that a slow hash adds nothing. */
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

interface AccountsDoc {
  accounts: Record<string, AccountRecord>;
  tokens: TokenRecord[];
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`密码(password)至少 ${MIN_PASSWORD_LENGTH} 位`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new UsageError(`密码(password)最长 ${MAX_PASSWORD_BYTES} 字节`);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const TOKEN_PREFIX = 'dt';
const TOKEN_SHAPE = /^dt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Accounts (bcrypt password hashes) and bearer tokens, in `<dataDir>/auth/accounts.json`. The file is re-read on
 * every check so that `duty user …` run beside a live server takes effect at once.
 */
export class AccountStore {
  private readonly doc: JsonFile<AccountsDoc>;
  /** Compared against when the account does not exist, so a wrong id costs as long as a wrong password. */
  private dummyHash?: Promise<string>;

  constructor(
    dataDir: string,
    private readonly bcryptCost = 11,
  ) {
    this.doc = new JsonFile<AccountsDoc>(path.join(dataDir, 'auth', 'accounts.json'), () => ({ accounts: {}, tokens: [] }));
  }

  get(personId: string): AccountRecord | undefined {
    return this.doc.read().accounts[personId];
  }

  list(): AccountRecord[] {
    return Object.values(this.doc.read().accounts).sort((a, b) => a.personId.localeCompare(b.personId));
  }

  /**
   * Opens an account, or resets its password and opens it again if it was disabled. A reset also ends every session
   * and token of the person: whoever knew the old password may have signed in with it.
   */
  async setPassword(personId: string, password: string, now = new Date()): Promise<{ created: boolean; tokensRevoked: number }> {
    checkPassword(password);
    const passwordHash = await bcrypt.hash(password, this.bcryptCost);
    let created = false;
    let tokensRevoked = 0;
    this.doc.update((d) => {
      const existing = d.accounts[personId];
      created = !existing;
      const at = now.toISOString();
      d.accounts[personId] = existing ? { personId, passwordHash, createdAt: existing.createdAt, updatedAt: at, sessionsEndedAt: at } : { personId, passwordHash, createdAt: at, updatedAt: at };
      if (existing) tokensRevoked = revokeAll(d, personId, at);
      return d;
    });
    return { created, tokensRevoked };
  }

  /** Ends every session and revokes every token of the person at once; the password stays. */
  endSessions(personId: string, now = new Date()): { tokensRevoked: number } {
    let tokensRevoked = 0;
    this.doc.update((d) => {
      const at = now.toISOString();
      const account = d.accounts[personId];
      if (account) account.sessionsEndedAt = at;
      tokensRevoked = revokeAll(d, personId, at);
      return d;
    });
    return { tokensRevoked };
  }

  /** No more signing in, and every session and token ends now. Undefined when the person has no account. */
  disable(personId: string, now = new Date()): { tokensRevoked: number } | undefined {
    let result: { tokensRevoked: number } | undefined;
    this.doc.update((d) => {
      const account = d.accounts[personId];
      if (!account) return d;
      const at = now.toISOString();
      account.disabledAt ??= at;
      account.sessionsEndedAt = at;
      result = { tokensRevoked: revokeAll(d, personId, at) };
      return d;
    });
    return result;
  }

  async verify(personId: string, password: string): Promise<boolean> {
    const account = this.get(personId);
    if (!account || account.disabledAt) {
      // A disabled account costs a comparison too, so the time taken does not tell it apart from a wrong password.
      this.dummyHash ??= bcrypt.hash('not-a-password', this.bcryptCost);
      await bcrypt.compare(password, await this.dummyHash);
      return false;
    }
    return bcrypt.compare(password, account.passwordHash);
  }

  sessionAccepted(session: SessionStart): boolean {
    return acceptsSession(this.get(session.personId), session);
  }

  /** Returns the whole token once; only its hash is kept. */
  createToken(personId: string, label: string, now = new Date()): { id: string; token: string } {
    if (this.get(personId)?.disabledAt) throw new UsageError(`${personId} 的账号已停用,不能创建令牌;重新启用请用 duty user set-password ${personId}`);
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    this.doc.update((d) => {
      d.tokens.push({ id, personId, label, secretHash: sha256(secret), createdAt: now.toISOString() });
      return d;
    });
    return { id, token: `${TOKEN_PREFIX}_${id}_${secret}` };
  }

  tokens(): TokenRecord[] {
    return this.doc.read().tokens;
  }

  revokeToken(id: string, now = new Date()): TokenRecord | undefined {
    let found: TokenRecord | undefined;
    this.doc.update((d) => {
      found = d.tokens.find((t) => t.id === id && !t.revokedAt);
      if (found) found.revokedAt = now.toISOString();
      return d;
    });
    return found;
  }

  /** The person a bearer token stands for, if it is known and not revoked. */
  resolveToken(token: string): string | undefined {
    // The secret is base64url, which may itself contain "_", so the shape is matched as a whole.
    const [, id, secret] = TOKEN_SHAPE.exec(token) ?? [];
    if (!id || !secret) return undefined;
    const record = this.doc.read().tokens.find((t) => t.id === id);
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

/** Marks every live token of the person revoked; returns how many. */
function revokeAll(d: AccountsDoc, personId: string, at: string): number {
  const live = d.tokens.filter((t) => t.personId === personId && !t.revokedAt);
  for (const t of live) t.revokedAt = at;
  return live.length;
}
