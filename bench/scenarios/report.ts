import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { overdueReport } from '../../src/report/overdue';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import type { OrgTree } from '../../src/roster/orgTree';
import type { Unit } from '../../src/shared/types';
import { ZONE } from '../../src/shared/zone';
import type { Target } from '../lib/target';
import { startCluster } from '../lib/cluster';
import { countyRoster, writeRoster } from '../lib/roster';
import { eachParallel, startAll, startInStanding, syntheticTask, type SeededStanding } from '../lib/tasks';

export interface ReportOptions {
  /** Open task counts in visibility to measure at, ascending. */
  sizes: number[];
  /** Share of open tasks already past their deadline, i.e. rows of the county-wide report. */
  overdueShare: number;
  /** Timed runs per query; the median is reported. */
  repeats: number;
  /** Keep the seeded dev server here and reuse it next time (seeding 100,000 tasks takes about 20 minutes). */
  dataDir?: string;
  /** Runs on the same seeded server after each size's report figures (the dashboards, the exports). */
  afterSize?: (county: SeededCounty) => Promise<void>;
  /** The cluster target seeds a namespace of its own each run (`dataDir` keeps only a dev server). */
  target?: Target;
}

export interface ReportRow {
  openTasks: number;
  scope: string;
  rows: number;
  medianSec: number;
  generateSec: number;
}

/** What the report scenario has put in visibility, for whatever else is measured on it. */
export interface SeededCounty {
  client: Client;
  tree: OrgTree;
  /** Plain open tasks, of which `overdueShare` past their deadline. */
  openTasks: number;
  /** Tasks in 督办 states besides them: a third done on time, a third done late, a twelfth each in review, extended, waived, returned. */
  standings: number;
  /** Seconds spent starting tasks for this size in this run (0 when a kept server already held them). */
  seedSec: number;
}

const NO_WORKER_QUEUE = 'report-bench-unpolled';
const STANDINGS_QUEUE = 'report-bench-standings';
/** Tasks in 督办 states per plain open task: 3,000 beside 100,000. */
const STANDING_SHARE = 0.03;
const DAY = 86_400_000;

/**
 * Open tasks are generated cheaply: started through the engine's own startTask (same search attributes and memo as
 * real ones) on a task queue no worker polls. Visibility holds them exactly as it holds real open tasks, which is all
 * the report reads, and nothing else runs. They are spread over every township, village and department.
 */
export async function runReport(o: ReportOptions, log: (line: string) => void): Promise<ReportRow[]> {
  const cluster = await startCluster('report', { ...(o.dataDir && o.target !== 'cluster' ? { dir: o.dataDir } : {}), target: o.target });
  const rows: ReportRow[] = [];
  try {
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), countyRoster());
    const township = tree.roster.units.find((u) => u.kind === 'township')?.id ?? '';
    for (const size of o.sizes) {
      const began = Date.now();
      const standings = Math.floor(size * STANDING_SHARE);
      // Tasks start dozens at a time, so an interrupted seeding may have left gaps just below the count: start those again.
      const have = await visible(cluster.client, NO_WORKER_QUEUE);
      if (have < size) {
        log(`report: seeding ${size - have} open tasks${o.dataDir ? ` into ${o.dataDir}` : ''}`);
        await generate(cluster.client, tree, Math.max(0, have - 1024), size, o.overdueShare);
      }
      const haveStandings = await visible(cluster.client, STANDINGS_QUEUE);
      // Few enough to try every one again: those already there are left as they are.
      if (haveStandings < standings) await seedStandings(cluster.client, tree, 0, standings);
      await waitVisible(cluster.client, NO_WORKER_QUEUE, size);
      await waitVisible(cluster.client, STANDINGS_QUEUE, standings);
      const ms = Date.now() - began;
      log(`report: ${size} open tasks ready (${(ms / 1000).toFixed(0)} s seeding and waiting for visibility)`);
      for (const scope of [undefined, township]) {
        const times: number[] = [];
        let count = 0;
        for (let r = 0; r < o.repeats; r++) {
          const t = Date.now();
          const report = await overdueReport(cluster.client, tree, { unitId: scope });
          times.push(Date.now() - t);
          count = report.total;
        }
        times.sort((a, b) => a - b);
        const row = { openTasks: size, scope: scope ? `township ${scope}` : 'county', rows: count, medianSec: (times[Math.floor(times.length / 2)] ?? 0) / 1000, generateSec: ms / 1000 };
        rows.push(row);
        log(`report: ${size} open, ${row.scope}: ${row.rows} rows in ${row.medianSec.toFixed(2)} s`);
      }
      await o.afterSize?.({ client: cluster.client, tree, openTasks: size, standings, seedSec: ms / 1000 });
    }
    return rows;
  } finally {
    await cluster.stop({ keepDir: Boolean(o.dataDir) && o.target !== 'cluster' });
  }
}

/** Units that own tasks: every township, village and department (the bureau supervises). */
function owners(tree: OrgTree): Unit[] {
  return tree.roster.units.filter((u) => u.kind !== 'bureau');
}

async function generate(client: Client, tree: OrgTree, from: number, to: number, overdueShare: number): Promise<number> {
  const units = owners(tree);
  const now = Date.now();
  const inputs = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const round = Math.floor(i / units.length);
    // Overdue ones are spread over the past month, the rest over the coming month; every unit gets every day.
    const overdue = (i * 7919) % 1000 < overdueShare * 1000;
    const dueAt = new Date(now + (overdue ? -1 : 1) * (3_600_000 + (round % 30) * DAY));
    return syntheticTask(tree, { dutyId: 'bench-report', period: `r${round}`, unitId: units[i % units.length]?.id ?? '', reminders: [], dueAt });
  });
  return startAll(client, NO_WORKER_QUEUE, inputs, 64);
}

/** The k-th task in a 督办 state: what the dashboard counts beside overdue, yellow and green, and on-time needs. */
function standing(k: number, now: number): { dueAt: Date; standing: SeededStanding } {
  const past = new Date(now - (1 + (k % 60)) * DAY);
  const at = (ms: number) => new Date(ms).toISOString();
  const dueOn = DateTime.fromJSDate(past, { zone: ZONE }).toISODate() ?? '';
  switch (k % 12) {
    case 0:
    case 1:
    case 2:
    case 3:
      return { dueAt: past, standing: { status: 'done', memo: { completedAt: at(past.getTime() - 3_600_000) } } };
    case 4:
    case 5:
    case 6:
    case 7:
      return { dueAt: past, standing: { status: 'done', escalationLevel: 1, memo: { completedAt: at(past.getTime() + DAY) } } };
    case 8:
      return { dueAt: past, standing: { status: 'review' } };
    case 9:
      return { dueAt: new Date(now + (10 + (k % 20)) * DAY), standing: { status: 'open', flags: ['extended'], memo: { extensions: 1, originalDueOn: dueOn } } };
    case 10:
      return { dueAt: past, standing: { status: 'waived' } };
    default:
      return { dueAt: past, standing: { status: 'overdue', flags: ['returned'], escalationLevel: 2, memo: { returns: 1 } } };
  }
}

async function seedStandings(client: Client, tree: OrgTree, from: number, to: number): Promise<void> {
  const units = owners(tree);
  const now = Date.now();
  const ks = Array.from({ length: to - from }, (_, j) => from + j);
  await eachParallel(ks, 32, async (k) => {
    const s = standing(k, now);
    const input = syntheticTask(tree, { dutyId: 'bench-standing', period: `s${Math.floor(k / units.length)}`, unitId: units[(k * 7) % units.length]?.id ?? '', reminders: [], dueAt: s.dueAt });
    await startInStanding(client, STANDINGS_QUEUE, input, s.standing);
  });
}

async function visible(client: Client, queue: string): Promise<number> {
  return (await client.workflow.count(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).taskQueue(queue).build())).count;
}

/** Visibility is eventually consistent; the timing starts once every started task is listed. */
async function waitVisible(client: Client, queue: string, size: number): Promise<void> {
  while ((await visible(client, queue)) < size) await new Promise((r) => setTimeout(r, 500));
}
