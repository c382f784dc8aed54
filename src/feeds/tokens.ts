import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { JsonFile } from '../store/jsonFile';
import { processEnv, publicBaseUrl, type Env } from '../config';

interface TokenDoc {
  version: 1;
  /** By person: the SHA-256 of their current token. The token itself is shown once and never stored. */
  feeds: Record<string, { sha256: string; createdAt: string }>;
}

/** 32 random bytes, base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function feedTokenFile(dataDir: string): string {
  return path.join(dataDir, 'feeds', 'tokens.json');
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Private calendar-feed tokens, one per person. A token is 256 random bits, so a plain SHA-256 is enough to keep
 * a leaked data directory from exposing live feed URLs; no slow hash is needed for a secret nobody chose.
 */
export class FeedTokens {
  private readonly store: JsonFile<TokenDoc>;

  constructor(file: string) {
    this.store = new JsonFile<TokenDoc>(file, () => ({ version: 1, feeds: {} }));
  }

  /** A new token for the person; any earlier one stops working. */
  create(personId: string, now = new Date()): string {
    const token = randomBytes(32).toString('base64url');
    this.store.update((doc) => ({ ...doc, feeds: { ...doc.feeds, [personId]: { sha256: digest(token).toString('hex'), createdAt: now.toISOString() } } }));
    return token;
  }

  /** False when the person had no feed. */
  revoke(personId: string): boolean {
    const doc = this.store.read();
    if (!doc.feeds[personId]) return false;
    const feeds = { ...doc.feeds };
    delete feeds[personId];
    this.store.write({ ...doc, feeds });
    return true;
  }

  /** The owner of a token, read from disk each time so a revocation by the CLI applies at once. */
  personFor(token: string): string | undefined {
    if (!TOKEN.test(token)) return undefined;
    const wanted = digest(token);
    for (const [personId, entry] of Object.entries(this.store.read().feeds)) {
      const stored = Buffer.from(entry.sha256, 'hex');
      if (stored.length === wanted.length && timingSafeEqual(stored, wanted)) return personId;
    }
    return undefined;
  }

  list(): { personId: string; createdAt: string }[] {
    return Object.entries(this.store.read().feeds).map(([personId, e]) => ({ personId, createdAt: e.createdAt }));
  }
}

/** Where phones subscribe: `DUTY_PUBLIC_URL` (the address people reach the server at) plus the token. */
export function feedUrl(token: string, env: Env = processEnv()): string {
  return `${publicBaseUrl(env)}/feeds/${token}.ics`;
}
