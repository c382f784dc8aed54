/**
 * npx tsx bench/diagnostics/reportListing.ts [overdue tasks, default 3000]
 * Where the county-wide overdue report spends its time: lists N overdue tasks from a fresh dev server the way the
 * report does, raw (no decoding) and through the client, reads the server's own visibility persistence metrics over
 * the raw listing, and tries what could make it cheaper (a bigger page, one query per township, GROUP BY).
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { taskQueryBuilder, summarize } from '../../src/tasks/query';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import { SA } from '../../src/shared/searchAttributes';
import { startCluster } from '../lib/cluster';
import { countyRoster, villages, writeRoster } from '../lib/roster';
import { startAll, syntheticTask } from '../lib/tasks';

const QUEUE = 'unpolled';

async function timed(label: string, fn: () => Promise<string>): Promise<void> {
  const began = Date.now();
  const what = await fn();
  console.log(`${label}: ${what} in ${Date.now() - began} ms`);
}

async function visibilityMetrics(url: string | undefined): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!url) return out;
  for (const line of (await (await fetch(url)).text()).split('\n')) {
    const m = /^visibility_persistence_(latency_sum|requests)\{[^}]*operation="([^"]+)"[^}]*\} ([0-9.e+-]+)$/.exec(line);
    if (m) out.set(`${m[2]} ${m[1]}`, (out.get(`${m[2]} ${m[1]}`) ?? 0) + Number(m[3]));
  }
  return out;
}

async function rawListing(client: Client, query: string, pageSize: number): Promise<string> {
  let rows = 0;
  let pages = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize, nextPageToken });
    rows += res.executions.length;
    pages += 1;
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (nextPageToken);
  return `${rows} rows, ${pages} pages`;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3000);
  const cluster = await startCluster('report-listing');
  try {
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), countyRoster());
    const vs = villages(tree);
    const now = Date.now();
    const inputs = Array.from({ length: n }, (_, i) =>
      syntheticTask(tree, { dutyId: 'bench-report', period: `r${Math.floor(i / vs.length)}`, unitId: vs[i % vs.length]?.id ?? '', reminders: [], dueAt: new Date(now - 3_600_000 - (i % 30) * 86_400_000) }),
    );
    await startAll(cluster.client, QUEUE, inputs, 64);
    while ((await cluster.client.workflow.count(visibilityQuery().taskQueue(QUEUE).build())).count < n) await new Promise((r) => setTimeout(r, 500));
    const overdue = taskQueryBuilder({ statuses: ['open', 'overdue'], dueBefore: new Date() });
    const query = overdue.build();
    const client = cluster.client;

    const before = await visibilityMetrics(cluster.metricsUrls()[0]);
    await timed('raw listing, page 1000 (no decoding)', () => rawListing(client, query, 1000));
    const after = await visibilityMetrics(cluster.metricsUrls()[0]);
    for (const [key, value] of after) if (value !== (before.get(key) ?? 0)) console.log(`  server metric ${key}: +${(value - (before.get(key) ?? 0)).toFixed(3)}`);
    await timed('raw listing, page 5000 asked', () => rawListing(client, query, 5000));
    await timed('client.workflow.list + summarize (what the report does)', async () => {
      let rows = 0;
      for await (const info of client.workflow.list({ query })) rows += summarize(info) ? 1 : 0;
      return `${rows} rows`;
    });
    const townships = [...new Set(inputs.map((t) => t.township ?? ''))];
    await timed(`one listing per township, ${townships.length} in parallel`, async () => {
      const counts = await Promise.all(townships.map(async (t) => rawListing(client, overdue.eq(SA.township, t).build(), 1000)));
      return `${counts.length} listings`;
    });
    await timed('count (same query)', async () => `${(await client.workflow.count(query)).count} tasks`);
    await timed('count GROUP BY DutyTownship', async () => {
      try {
        const res = await client.workflowService.countWorkflowExecutions({ namespace: 'default', query: overdue.groupBy(SA.township).build() });
        return `${res.groups.length} groups`;
      } catch (err) {
        return `refused: ${err instanceof Error ? err.message : String(err)}`;
      }
    });
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
