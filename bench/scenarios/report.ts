import path from 'node:path';
import { overdueReport } from '../../src/report/overdue';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import type { OrgTree } from '../../src/roster/orgTree';
import { startCluster } from '../lib/cluster';
import { countyRoster, villages, writeRoster } from '../lib/roster';
import { startAll, syntheticTask } from '../lib/tasks';

export interface ReportOptions {
  /** Open task counts in visibility to measure at, ascending. */
  sizes: number[];
  /** Share of open tasks already past their deadline, i.e. rows of the county-wide report. */
  overdueShare: number;
  /** Timed runs per query; the median is reported. */
  repeats: number;
}

export interface ReportRow {
  openTasks: number;
  scope: string;
  rows: number;
  medianSec: number;
  generateSec: number;
}

const NO_WORKER_QUEUE = 'report-bench-unpolled';

/**
 * Open tasks are generated cheaply: started through the engine's own startTask (same search attributes and memo as
 * real ones) on a task queue no worker polls. Visibility holds them exactly as it holds real open tasks, which is all
 * the report reads, and nothing else runs.
 */
export async function runReport(o: ReportOptions, log: (line: string) => void): Promise<ReportRow[]> {
  const cluster = await startCluster('report');
  const rows: ReportRow[] = [];
  try {
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), countyRoster());
    const township = tree.roster.units.find((u) => u.kind === 'township')?.id ?? '';
    let have = 0;
    for (const size of o.sizes) {
      const ms = await generate(cluster.client, tree, have, size, o.overdueShare);
      have = size;
      await waitVisible(cluster.client, size);
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
    }
    return rows;
  } finally {
    await cluster.stop();
  }
}

async function generate(client: Parameters<typeof startAll>[0], tree: OrgTree, from: number, to: number, overdueShare: number): Promise<number> {
  const vs = villages(tree);
  const now = Date.now();
  const inputs = Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    // Overdue ones are spread over the past month, the rest over the coming month.
    const overdue = (i * 7919) % 1000 < overdueShare * 1000;
    const dueAt = new Date(now + (overdue ? -1 : 1) * (3_600_000 + (i % 30) * 86_400_000));
    return syntheticTask(tree, { dutyId: 'bench-report', period: `r${Math.floor(i / vs.length)}`, unitId: vs[i % vs.length]?.id ?? '', reminders: [], dueAt });
  });
  return startAll(client, NO_WORKER_QUEUE, inputs, 64);
}

/** Visibility is eventually consistent; the timing starts once every started task is listed. */
async function waitVisible(client: Parameters<typeof startAll>[0], size: number): Promise<void> {
  for (;;) {
    const { count } = await client.workflow.count(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).taskQueue(NO_WORKER_QUEUE).build());
    if (count >= size) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
