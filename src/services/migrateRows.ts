import type { PgDatabase } from '../store/pg/database';

/** What `duty migrate` reads the project's own stores from: the source's data directory, and the tasks it moved. */
export interface StoreSource {
  dataDir: string;
  /** Delivery records are kept per task in files named by a hash of the id, so the ids come from the listing. */
  taskIds: readonly string[];
}

export interface StoreCount {
  label: string;
  source: number;
  /** The source's records the target holds now. */
  target: number;
  /** Rows this pass wrote or brought up to date; 0 when the target already had everything. */
  created: number;
}

/** One store: read from the files, written to the table, counted on both sides. */
export type StoreCopy = (from: StoreSource, db: PgDatabase) => Promise<StoreCount>;

/** Rows an INSERT … SELECT FROM unnest(…) wrote: one array per column, all the same length. */
export async function insertRows(db: PgDatabase, sql: string, columns: unknown[][]): Promise<number> {
  if ((columns[0]?.length ?? 0) === 0) return 0;
  return (await db.query(sql, columns)).rowCount ?? 0;
}

export async function countOf(db: PgDatabase, sql: string, values: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, values);
  return rows[0]?.n ?? 0;
}
