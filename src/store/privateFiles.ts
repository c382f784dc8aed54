import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * Everything the stores write lives in the data directory and some of it is secret (password hashes, sessions, feed
 * tokens, the audit trail): the files are for the server's own user only, and so are the folders that hold them.
 */
export const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIR_MODE = 0o700;
const STICKY = 0o1000;

/**
 * Creates the folder private, and narrows one an older version left open to everyone. A sticky folder (/tmp) is
 * shared by design and left alone: narrowing it would lock every other user out.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const { mode } = statSync(dir);
  if ((mode & STICKY) === 0 && (mode & 0o7777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
}
