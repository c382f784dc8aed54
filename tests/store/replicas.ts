import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoreBackend } from '../../src/store/backend';
import { PgDatabase } from '../../src/store/pg/database';
import { freshDatabase } from '../support/postgres';

export const KINDS = ['files', 'postgres'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Two replicas sharing one store: for files, two views of one data folder; for PostgreSQL, two pools on one fresh
 * database (as two HTTP replicas or two workers have), with a data folder they must leave empty.
 */
export interface Replicas {
  a: StoreBackend;
  b: StoreBackend;
  /** The first pool, for looking at the tables directly (PostgreSQL only). */
  db?: PgDatabase;
  dataDir: string;
  close(): Promise<void>;
}

export async function replicas(kind: Kind): Promise<Replicas> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'duty-records-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'files') return { a: { kind, dataDir }, b: { kind, dataDir }, dataDir, close: async () => removeDir() };
  const database = await freshDatabase();
  const [a, b] = await Promise.all([PgDatabase.open(database.url), PgDatabase.open(database.url)]);
  return {
    a: { kind, db: a, dataDir },
    b: { kind, db: b, dataDir },
    db: a,
    dataDir,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
      removeDir();
    },
  };
}
