import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { settings } from '../config';
import type { PgDatabase } from '../store/pg/database';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { copyStores, LEDGER_NOTE, withTargetDatabase } from './migrateStores';
import { connectTarget, type Target, type TargetOptions } from './migrateTarget';
import { copySchedules, countMatching, type ScheduleState, setState, sourceSchedules } from './migrateSchedules';
import { copyExecution, type CopyContext, countCopies, cutOver, sourceExecutions, WORKFLOW_KINDS, type WorkflowKind } from './migrateWorkflows';
import { DIGEST_SCHEDULE_ID } from '../contracts/digest';

export interface MigrateOptions extends TargetOptions {
  /** The source's data directory (default DUTY_DATA_DIR): its stores, and its payload key file when no key is set. */
  dataDir?: string;
}

export interface KindCount {
  label: string;
  source: number;
  target: number;
}

export interface MigrateResult {
  to: string;
  counts: KindCount[];
  /** Executions, schedules and store rows written on the target by this run; 0 on a second run. */
  created: number;
  ok: boolean;
  /** The stage a mismatch stopped at; the source is untouched then. */
  stoppedAt?: 'copy';
}

type Listing = Map<WorkflowKind, WorkflowExecutionInfo[]>;

/** The target's database and the data directory whose stores go into it; absent when no database was named. */
interface Stores {
  db: PgDatabase;
  dataDir: string;
}

const SCHEDULES_LABEL = '职责计划';
const MIGRATED_NOTE = '已迁移到 ';

/** A schedule this command paused on an earlier run was running before it: the target runs it. */
function stateBefore(state: ScheduleState): ScheduleState {
  return state.paused && state.note?.startsWith(MIGRATED_NOTE) ? { paused: false } : { paused: state.paused, note: state.note };
}

/**
 * `duty migrate`: copies a running installation into a cluster in two steps.
 * 1. Copy: schedules as they are, and every task, herald, household, programme and lifecycle as a held copy (it
 *    sends nothing). Counts compared: a mismatch stops here, with the source untouched.
 * 2. Cut-over: the source's running schedules are paused (note "已迁移到 …"), anything opened meanwhile is copied,
 *    and one by one each source workflow is terminated and its held copy replaced by one carrying its final state.
 * The source is left stopped, not deleted: its history stays readable there.
 */
export async function migrate(source: Client, opts: MigrateOptions, progress: (line: string) => void = () => {}): Promise<MigrateResult> {
  const dataDir = opts.dataDir ?? settings().dataDir;
  const target = await connectTarget(opts, dataDir);
  try {
    if (!target.databaseUrl) {
      progress('未指定目标数据库(--database-url 或环境文件中的 DUTY_DATABASE_URL):账号、会话、操作记录等本机数据不复制');
      return await run(source, target, undefined, progress);
    }
    progress(LEDGER_NOTE);
    return await withTargetDatabase(target.databaseUrl, (db) => run(source, target, { db, dataDir }, progress));
  } finally {
    await target.close();
  }
}

async function run(source: Client, target: Target, stores: Stores | undefined, progress: (line: string) => void): Promise<MigrateResult> {
  const ctx: CopyContext = { source, target: target.client, taskQueue: target.taskQueue, address: target.address };
  const schedules = await sourceSchedules(source);
  const states = new Map([...schedules].map(([id, d]) => [id, stateBefore(d.state)]));
  progress(`职责计划 ${schedules.size} 个:复制到 ${target.address}`);
  await copySchedules(target.client, target.taskQueue, schedules, states);

  let listing = await list(source);
  let created = await copyAll(ctx, listing, progress);
  let counts = await compare(target.client, listing, schedules, states);
  // The stores are copied before the source changes too: a mismatch among them also leaves it untouched.
  let copied = await copyStoresOf(stores, listing, progress);
  created += copied.created;
  counts.push(...copied.counts);
  if (!matches(counts)) return { to: target.address, counts, created, ok: false, stoppedAt: 'copy' };

  // From here on the source changes: nothing new may open there while its workflows move.
  const paused = await pauseSource(source, schedules, target.address);
  listing = await list(source);
  created += await copyAll(ctx, listing, progress);
  counts = await compare(target.client, listing, schedules, states);
  if (!matches(counts)) {
    for (const id of paused) await source.schedule.getHandle(id).unpause('迁移未完成,恢复');
    return { to: target.address, counts, created, ok: false, stoppedAt: 'copy' };
  }

  for (const [kind, infos] of listing) {
    if (kind.status !== 'Running') continue;
    progress(`切换 ${kind.label} ${infos.length} 个`);
    for (const info of infos) await cutOver(ctx, kind, info);
  }
  for (const [id, state] of states) await setState(target.client, id, state);
  counts = await compare(target.client, listing, schedules, states);
  // Again once the source has stopped: what it recorded during the cut-over (deliveries, audit entries) follows.
  copied = await copyStoresOf(stores, listing, progress);
  created += copied.created;
  counts.push(...copied.counts);
  return { to: target.address, counts, created, ok: matches(counts) };
}

async function copyStoresOf(stores: Stores | undefined, listing: Listing, progress: (line: string) => void): Promise<{ counts: KindCount[]; created: number }> {
  if (!stores) return { counts: [], created: 0 };
  progress(`复制本机数据(${stores.dataDir})到目标数据库`);
  const taskIds = [...listing].flatMap(([kind, infos]) => (kind.type === TASK_WORKFLOW_TYPE ? infos.map((i) => i.workflowId) : []));
  const found = await copyStores({ dataDir: stores.dataDir, taskIds }, stores.db);
  return { counts: found.map(({ label, source, target }) => ({ label, source, target })), created: found.reduce((n, c) => n + c.created, 0) };
}

async function list(source: Client): Promise<Listing> {
  const listing: Listing = new Map();
  for (const kind of WORKFLOW_KINDS) listing.set(kind, await sourceExecutions(source, kind));
  return listing;
}

async function copyAll(ctx: CopyContext, listing: Listing, progress: (line: string) => void): Promise<number> {
  let created = 0;
  for (const [kind, infos] of listing) {
    progress(`复制 ${kind.label} ${infos.length} 个`);
    for (const info of infos) if (await copyExecution(ctx, kind, info)) created += 1;
  }
  return created;
}

/** Schedules in the source's state, and copies continuing the listed source runs (held or released). */
async function compare(target: Client, listing: Listing, schedules: Map<string, unknown>, states: Map<string, ScheduleState>): Promise<KindCount[]> {
  const counts: KindCount[] = [{ label: SCHEDULES_LABEL, source: schedules.size, target: await countMatching(target, schedules as never, states) }];
  for (const [kind, infos] of listing) counts.push({ label: kind.label, source: infos.length, target: await countCopies(target, infos) });
  return counts;
}

function matches(counts: KindCount[]): boolean {
  return counts.every((c) => c.source === c.target);
}

/** Pauses the source's running schedules; returns them, to resume should the run stop before the cut-over. */
async function pauseSource(source: Client, schedules: Map<string, { state: { paused: boolean } }>, to: string): Promise<string[]> {
  const paused: string[] = [];
  for (const [id, d] of schedules) {
    if (d.state.paused) continue;
    await source.schedule.getHandle(id).pause(`${MIGRATED_NOTE}${to}`);
    paused.push(id);
  }
  // The daily digest too: until the source is stopped, both sides would otherwise send it. The target has its own.
  const digest = await source.schedule.getHandle(DIGEST_SCHEDULE_ID).describe().catch(() => undefined);
  if (digest && !digest.state.paused) {
    await source.schedule.getHandle(DIGEST_SCHEDULE_ID).pause(`${MIGRATED_NOTE}${to}`);
    paused.push(DIGEST_SCHEDULE_ID);
  }
  return paused;
}
