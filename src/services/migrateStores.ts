import { PgDatabase } from '../store/pg/database';
import { accountsCopy, feedTokensCopy, sessionsCopy, tokensCopy } from './migrateAuthStores';
import { auditCopy, deliveriesCopy, emergenciesCopy, evidenceCopy } from './migrateRecordStores';
import type { StoreCopy, StoreCount, StoreSource } from './migrateRows';

export type { StoreCount } from './migrateRows';

/**
 * The files of a file-backed installation into the target's PostgreSQL, each store keyed as its table is, so a run
 * repeated writes nothing. Login rate-limit counters stay behind (a window of minutes). The send ledger stays behind
 * too: its keys name the workflow run that sent, and every copy on the target is a new run, so no key of the source
 * could ever match there; what a task or herald had sent travels in the carry that releases its copy.
 */
export const STORE_COPIES: readonly StoreCopy[] = [accountsCopy, tokensCopy, sessionsCopy, feedTokensCopy, auditCopy, emergenciesCopy, deliveriesCopy, evidenceCopy];

export const LEDGER_NOTE = '发送台账不复制:其记录按源上的工作流运行区分,目标上的副本是新的运行;已发送的提醒随任务状态带到目标,不会重发';

/** Opens the target's database (its schema brought up to date) for the length of `work`. */
export async function withTargetDatabase<T>(url: string, work: (db: PgDatabase) => Promise<T>): Promise<T> {
  const db = await PgDatabase.open(url, { poolSize: 2 });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export async function copyStores(from: StoreSource, db: PgDatabase): Promise<StoreCount[]> {
  const counts: StoreCount[] = [];
  for (const copy of STORE_COPIES) counts.push(await copy(from, db));
  return counts;
}
