import { createHash, randomUUID } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PRIVATE_FILE_MODE, privateDir } from './privateFiles';

/**
 * Evidence files (佐证材料), kept by the SHA-256 of their content: the same photo attached twice is stored once, and
 * a task keeps only the hash. Files are staged first and moved into place only once the task has recorded them, so
 * a refused step leaves nothing behind, and nothing a task refers to is ever half-written.
 */

export const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface StoredBlob {
  sha256: string;
  size: number;
}

/** Files written to a temporary area: `commit` puts them in the store, `discard` forgets them. Either, once. */
export interface Staging {
  /** One per staged file, in order. */
  readonly blobs: readonly StoredBlob[];
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Files under the data directory, or a table every replica shares (./records.ts picks). */
export interface EvidenceStore {
  stage(files: readonly Uint8Array[]): Promise<Staging>;
  /** The blob's bytes; undefined when the store holds nothing under that hash (or it is no hash). */
  read(sha256: string): Promise<{ size: number; stream: Readable } | undefined>;
}

/** A staging whose `commit` or `discard` runs once: a second call of either is a bug in the caller. */
export function settledOnce(name: string, blobs: StoredBlob[], settle: { commit(): Promise<void>; discard(): Promise<void> }): Staging {
  let settled = false;
  const once = (step: () => Promise<void>) => async () => {
    if (settled) throw new Error(`${name} already committed or discarded`);
    settled = true;
    await step();
  };
  return { blobs, commit: once(settle.commit), discard: once(settle.discard) };
}

/** Staged, not yet committed or discarded, this long: the process that staged it died in between. */
export const ABANDONED_MS = 24 * 60 * 60 * 1000;

const STAGING = '.staging';

/** `<root>/ab/cd/abcd…`: two levels of 256 folders keep any one folder small. Files 0600, folders 0700. */
export class DirectoryEvidenceStore implements EvidenceStore {
  constructor(readonly root: string) {}

  static inDataDir(dataDir: string): DirectoryEvidenceStore {
    return new DirectoryEvidenceStore(path.join(dataDir, 'evidence'));
  }

  blobPath(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async stage(files: readonly Uint8Array[]): Promise<Staging> {
    privateDir(path.join(this.root, STAGING));
    await this.removeAbandoned();
    // On the store's own file system, so that committing is a rename.
    const dir = path.join(this.root, STAGING, randomUUID());
    privateDir(dir);
    try {
      const hashed = files.map((data) => ({ sha256: sha256Of(data), data }));
      const unique = new Map(hashed.map((h) => [h.sha256, h.data]));
      for (const [sha256, data] of unique) await writePrivate(path.join(dir, sha256), data);
      const blobs = hashed.map((h) => ({ sha256: h.sha256, size: h.data.byteLength }));
      return this.staging(dir, blobs, [...unique.keys()]);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Every stored blob's hash (staged files are not stored yet), for `duty migrate`. */
  async stored(): Promise<string[]> {
    const found: string[] = [];
    for (const a of await readdir(this.root).catch(() => [])) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await readdir(path.join(this.root, a))) {
        for (const name of await readdir(path.join(this.root, a, b))) if (SHA256.test(name)) found.push(name);
      }
    }
    return found;
  }

  async read(sha256: string): Promise<{ size: number; stream: Readable } | undefined> {
    if (!SHA256.test(sha256)) return undefined;
    try {
      const handle = await open(this.blobPath(sha256), 'r');
      const { size } = await handle.stat();
      return { size, stream: handle.createReadStream() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private staging(dir: string, blobs: StoredBlob[], hashes: string[]): Staging {
    return settledOnce(`evidence staging ${dir}`, blobs, {
      commit: async () => {
        for (const sha256 of hashes) {
          const target = this.blobPath(sha256);
          privateDir(path.dirname(target));
          // An existing blob under the same hash holds the same bytes: replacing it changes nothing.
          await rename(path.join(dir, sha256), target);
        }
        await rm(dir, { recursive: true, force: true });
      },
      discard: () => rm(dir, { recursive: true, force: true }),
    });
  }

  private async removeAbandoned(): Promise<void> {
    const area = path.join(this.root, STAGING);
    for (const name of await readdir(area)) {
      const dir = path.join(area, name);
      // Another process may remove it first.
      const info = await stat(dir).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > ABANDONED_MS) await rm(dir, { recursive: true, force: true });
    }
  }
}

async function writePrivate(file: string, data: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx', PRIVATE_FILE_MODE);
  try {
    // Explicitly: the mode given to open is bent by the umask.
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
