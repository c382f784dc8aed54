import { PgDatabase } from './pg/database';

/**
 * Where the project keeps its own state: files under the data directory (the embedded default, one machine), or
 * PostgreSQL (`DUTY_DATABASE_URL`), which every worker and HTTP replica shares. Each store picks its implementation
 * from this; callers never see which.
 */
export type StoreBackend = { kind: 'files'; dataDir: string } | { kind: 'postgres'; db: PgDatabase; dataDir: string };

export interface BackendSettings {
  dataDir: string;
  databaseUrl?: string;
}

const opened = new Map<string, Promise<PgDatabase>>();

/** One pool per database and process, migrated once; every store and every request of the process shares it. */
export async function storeBackend(s: BackendSettings): Promise<StoreBackend> {
  if (!s.databaseUrl) return { kind: 'files', dataDir: s.dataDir };
  let db = opened.get(s.databaseUrl);
  if (!db) {
    db = PgDatabase.open(s.databaseUrl);
    opened.set(s.databaseUrl, db);
    // A failed open (database down, newer schema) is not remembered: the next call tries again.
    db.catch(() => opened.delete(s.databaseUrl!));
  }
  return { kind: 'postgres', db: await db, dataDir: s.dataDir };
}

/** Closes every pool this process opened (tests, and servers on their way out). */
export async function closeStoreBackends(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  await Promise.all(all.map(async (db) => (await db.catch(() => undefined))?.close()));
}
