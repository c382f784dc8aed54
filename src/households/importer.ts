import type { Client } from '@temporalio/client';
import { ValidationError, type InputIssue } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import type { HouseholdRecord } from '../shared/household';
import type { LocalDate } from '../shared/types';
import { listHouseholds, writeHousehold, type WriteOutcome } from './client';
import { COLUMNS } from './columns';
import { idTag, recordDigest } from './digest';
import { readHouseholdFile } from './readFile';
import { shown, validateRows } from './validate';

export class HouseholdImportError extends ValidationError {
  override name = 'HouseholdImportError';
  constructor(issues: InputIssue[], rows: number) {
    super(`农户文件(共 ${rows} 行数据,${new Set(issues.map((i) => i.line)).size} 行有误,未导入任何记录)`, issues);
  }
}

export interface ImportPlan {
  file: string;
  ignoredColumns: string[];
  rows: number;
  create: HouseholdRecord[];
  update: HouseholdRecord[];
  unchanged: number;
  /** Rows with a clearance date: their household starts (or keeps) its revisit programme. */
  withClearance: number;
}

export interface ImportResult extends Omit<ImportPlan, 'create' | 'update'> {
  created: number;
  updated: number;
}

/**
 * Reads and checks the whole file, then compares it with what Temporal holds. Nothing is written here: any bad
 * row, or an ID number already registered under another household, refuses the whole file.
 */
export async function planImport(client: Client, tree: OrgTree, file: string, today: LocalDate, sheet?: string): Promise<ImportPlan> {
  const table = await readHouseholdFile(file, sheet);
  const { records, issues } = validateRows(table, tree, today);
  const existing = new Map((await listHouseholds(client)).map((h) => [h.householdId, h.memo]));
  const owners = new Map<string, string>();
  for (const [householdId, memo] of existing) if (memo.idTag) owners.set(memo.idTag, householdId);
  const idColumn = COLUMNS.find((c) => c.key === 'idNumber');
  for (const { row, record } of records) {
    const owner = owners.get(idTag(record.idNumber));
    if (owner && owner !== record.householdId && idColumn) {
      issues.push({ file, line: row, path: table.headers.idNumber ?? '身份证号', value: shown(idColumn, record.idNumber), message: `该人已登记在户 ${owner} 下` });
    }
  }
  if (issues.length > 0) throw new HouseholdImportError(issues, table.rows.length);

  const withClearance = records.filter((r) => r.record.riskClearedOn).length;
  const plan: ImportPlan = { file, ignoredColumns: table.ignored, rows: records.length, create: [], update: [], unchanged: 0, withClearance };
  for (const { record } of records) {
    const memo = existing.get(record.householdId);
    if (!memo) plan.create.push(record);
    else if (memo.digest !== recordDigest(record)) plan.update.push(record);
    else plan.unchanged += 1;
  }
  return plan;
}

/**
 * Writes the planned households, `concurrency` at a time. Each household is written whole or not at all; if the
 * run is cut short, running the same import again finishes it (written rows then count as unchanged).
 */
export async function runImport(
  client: Client,
  taskQueue: string,
  tree: OrgTree,
  plan: ImportPlan,
  opts: { by: string; concurrency?: number; progress?: (done: number, total: number) => void },
): Promise<ImportResult> {
  const work = [...plan.create, ...plan.update];
  const counts: Record<WriteOutcome, number> = { created: 0, updated: 0, unchanged: plan.unchanged };
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < work.length; i = next++) {
      const record = work[i] as HouseholdRecord;
      counts[await writeHousehold(client, taskQueue, tree, record, opts.by)] += 1;
      opts.progress?.(++done, work.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 32, Math.max(work.length, 1)) }, worker));
  return {
    file: plan.file,
    ignoredColumns: plan.ignoredColumns,
    rows: plan.rows,
    created: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    withClearance: plan.withClearance,
  };
}
