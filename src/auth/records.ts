/**
 * What the account and session stores keep, and the persistence each needs (a file under the data directory or
 * PostgreSQL). The rules (bcrypt, token shape, when a session ends) live in ./accounts.ts and ./sessions.ts, once.
 */

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

/** What one change does to a person: their account's new record, ending their live tokens, a new token. */
export interface AccountChange {
  account?: AccountRecord;
  revokeTokens?: boolean;
  addToken?: TokenRecord;
}

export interface AccountRecords {
  get(personId: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  /** In the order they were made. */
  tokens(): Promise<TokenRecord[]>;
  token(id: string): Promise<TokenRecord | undefined>;
  /**
   * Reads the person's account, asks `decide` what to do (nothing: undefined; a throw changes nothing) and applies
   * it at once: no other change to the same person comes in between, whichever process makes it.
   */
  change(personId: string, at: string, decide: (account: AccountRecord | undefined) => AccountChange | undefined): Promise<{ before?: AccountRecord; tokensRevoked: number }>;
  /** Marks the token revoked unless it already was; the token as it now is, or undefined when there was none to revoke. */
  revokeToken(id: string, at: string): Promise<TokenRecord | undefined>;
}

export interface SessionRecord extends SessionStart {
  expiresAt: string;
}

/** Sessions by the SHA-256 of their cookie. */
export interface SessionRecords {
  /** Also drops every session expired by `now`, so the store never grows without bound. */
  put(key: string, session: SessionRecord, now: Date): Promise<void>;
  get(key: string): Promise<SessionRecord | undefined>;
  /** Expired ones may be among them, until the next `put` drops them. */
  all(): Promise<SessionRecord[]>;
  delete(key: string): Promise<void>;
}
