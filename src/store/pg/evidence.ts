import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ABANDONED_MS, type EvidenceStore, settledOnce, SHA256, sha256Of, type Staging } from '../evidence';
import type { PgDatabase } from './database';

/**
 * Evidence blobs in PostgreSQL, keyed by SHA-256 like the files. Why there and not on each machine's disk: a file
 * uploaded through one replica must download through any other, and be backed up with the tasks' other records; a
 * shared folder would be one more thing to mount, secure and back up. Files are bounded (DUTY_EVIDENCE_MAX_MB, at most
 * 100 MB) well below bytea's 1 GB. Staged rows are written before the step and moved into the store in one
 * transaction after it, so a refused step leaves nothing and a task never refers to a half-written file.
 */
export class PgEvidenceStore implements EvidenceStore {
  constructor(private readonly db: PgDatabase) {}

  async stage(files: readonly Uint8Array[]): Promise<Staging> {
    await this.db.query('DELETE FROM duty_evidence_staging WHERE staged_at < now() - $1 * interval \'1 millisecond\'', [ABANDONED_MS]);
    const hashed = files.map((data) => ({ sha256: sha256Of(data), data }));
    const unique = new Map(hashed.map((h) => [h.sha256, h.data]));
    // A stored blob is never removed: the same photo attached again is not sent again.
    const { rows } = await this.db.query<{ sha256: string }>('SELECT sha256 FROM duty_evidence WHERE sha256 = ANY($1::text[])', [[...unique.keys()]]);
    for (const r of rows) unique.delete(r.sha256);
    const staging = randomUUID();
    const discard = async () => {
      await this.db.query('DELETE FROM duty_evidence_staging WHERE staging = $1', [staging]);
    };
    try {
      for (const [sha256, data] of unique) {
        await this.db.query('INSERT INTO duty_evidence_staging (staging, sha256, size, data) VALUES ($1, $2, $3, $4)', [staging, sha256, data.byteLength, asBuffer(data)]);
      }
    } catch (err) {
      await discard().catch(() => undefined);
      throw err;
    }
    const blobs = hashed.map((h) => ({ sha256: h.sha256, size: h.data.byteLength }));
    const commit = () =>
      this.db.transaction(async (c) => {
        await c.query('INSERT INTO duty_evidence (sha256, size, data) SELECT sha256, size, data FROM duty_evidence_staging WHERE staging = $1 ON CONFLICT (sha256) DO NOTHING', [staging]);
        await c.query('DELETE FROM duty_evidence_staging WHERE staging = $1', [staging]);
      });
    return settledOnce(`evidence staging ${staging}`, blobs, { commit, discard });
  }

  async read(sha256: string): Promise<{ size: number; stream: Readable } | undefined> {
    if (!SHA256.test(sha256)) return undefined;
    const { rows } = await this.db.query<{ size: number }>('SELECT size FROM duty_evidence WHERE sha256 = $1', [sha256]);
    const size = rows[0]?.size;
    return size === undefined ? undefined : { size, stream: Readable.from(this.slices(sha256, size), { objectMode: false }) };
  }

  /** A slice at a time (the column is stored uncompressed, so a slice reads only its own part): a download holds one. */
  private async *slices(sha256: string, size: number): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < size; offset += SLICE_BYTES) {
      const { rows } = await this.db.query<{ part: Buffer }>('SELECT substring(data FROM $2 FOR $3) AS part FROM duty_evidence WHERE sha256 = $1', [sha256, offset + 1, SLICE_BYTES]);
      yield rows[0]!.part;
    }
  }
}

const SLICE_BYTES = 1024 * 1024;

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
