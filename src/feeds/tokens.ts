import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { processEnv, publicBaseUrl, type Env } from '../config';
import type { StoreBackend } from '../store/backend';
import type { FeedTokenRecords } from './tokenRecords';
import { FileFeedTokenRecords } from './tokensFile';
import { PgFeedTokenRecords } from './tokensPg';

/** 32 random bytes, base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function feedTokenFile(dataDir: string): string {
  return path.join(dataDir, 'feeds', 'tokens.json');
}

/** The feed tokens of the backend in use: `<dataDir>/feeds/tokens.json`, or PostgreSQL shared by every replica. */
export function feedTokens(backend: StoreBackend): FeedTokens {
  return new FeedTokens(backend.kind === 'postgres' ? new PgFeedTokenRecords(backend.db) : new FileFeedTokenRecords(feedTokenFile(backend.dataDir)));
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Private calendar-feed tokens, one per person. A token is 256 random bits, so a plain SHA-256 is enough to keep
 * a leaked data directory or database from exposing live feed URLs; no slow hash is needed for a secret nobody chose.
 */
export class FeedTokens {
  constructor(private readonly records: FeedTokenRecords) {}

  /** A new token for the person; any earlier one stops working. */
  async create(personId: string, now = new Date()): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.records.put({ personId, sha256: digest(token).toString('hex'), createdAt: now.toISOString() });
    return token;
  }

  /** False when the person had no feed. */
  revoke(personId: string): Promise<boolean> {
    return this.records.remove(personId);
  }

  /** The owner of a token, read afresh each time so a revocation by the CLI applies at once. */
  async personFor(token: string): Promise<string | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const wanted = digest(token);
    for (const entry of await this.records.candidates(wanted.toString('hex'))) {
      const stored = Buffer.from(entry.sha256, 'hex');
      if (stored.length === wanted.length && timingSafeEqual(stored, wanted)) return entry.personId;
    }
    return undefined;
  }

  async list(): Promise<{ personId: string; createdAt: string }[]> {
    return (await this.records.list()).map(({ personId, createdAt }) => ({ personId, createdAt }));
  }
}

/** Where phones subscribe: `DUTY_PUBLIC_URL` (the address people reach the server at) plus the token. */
export function feedUrl(token: string, env: Env = processEnv()): string {
  return `${publicBaseUrl(env)}/feeds/${token}.ics`;
}
