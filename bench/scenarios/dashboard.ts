import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { OPERATOR, type Viewer } from '../../src/auth/policy';
import { settings } from '../../src/config';
import { closedTasksOf } from '../../src/report/closedTasks';
import { overdueCsv } from '../../src/report/format';
import type { OverdueExport } from '../../src/report/overdueExport';
import { writeOverdueXlsx } from '../../src/report/xlsx';
import { auditLog, type ServiceContext } from '../../src/services/context';
import { dashboardFor, type DashboardOptions } from '../../src/services/dashboard';
import { openTasksOf } from '../../src/services/openTasks';
import { DashboardCache } from '../../src/services/dashboardCache';
import { overdueExportFor } from '../../src/services/reports';
import type { Line } from '../lib/table';
import type { SeededCounty } from './report';

/**
 * The supervisor dashboard from counts, on the report scenario's seeded server (the same tasks, the same run): the
 * county and one township recomputed (no cache) and as the server shares them (cached), one unit's drill-down, and
 * the county's overdue CSV and Excel downloads written as they are listed.
 */

export interface Timed {
  /** The first computation (for the county: the index of closed tasks read from scratch). */
  firstMs: number;
  medianMs: number;
  runs: number;
}

export interface DashboardFigures {
  openTasks: number;
  overdue: number;
  standings: number;
  /** The first county dashboard: counts only, the indexes being built meanwhile. */
  firstMs: number;
  /** Listing every open task into the index, from the first call until it is ready. */
  openIndexMs: number;
  openHeld: number;
  closedHeld: number;
  countQueries: { county: number; township: number };
  /** Count queries alone, as before the index is built: county and township. */
  countsOnly: { county: Timed; township: Timed };
  county: Timed;
  township: Timed;
  countyCached: Timed;
  townshipCached: Timed;
  drillDown: Timed;
  exports: ExportFigures[];
}

export interface ExportFigures {
  format: 'csv' | 'xlsx';
  scope: string;
  rows: number;
  bytes: number;
  firstBytesMs: number;
  totalMs: number;
  /** The most heap in use above the level before the export, after a collection every 40 units. */
  retainedMb: number;
}

const TOWNSHIP_SUPERVISOR: Viewer = { role: 'supervisor', personId: 'p-t-01-sup' };

/** A client that counts the count queries asked of it. */
function counting(client: Client): { client: Client; counts: () => number } {
  let n = 0;
  const workflow = new Proxy(client.workflow, {
    get(target, prop, receiver) {
      if (prop === 'count') return (q: string) => ((n += 1), target.count(q));
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: new Proxy(client, { get: (target, prop, receiver) => (prop === 'workflow' ? workflow : Reflect.get(target, prop, receiver)) }), counts: () => n };
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<Timed> {
  const once = async () => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const firstMs = await once();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await once());
  ms.sort((a, b) => a - b);
  return { firstMs, medianMs: ms[Math.floor(ms.length / 2)] ?? firstMs, runs };
}

/** A full garbage collection, reached without `--expose-gc` on the command line. */
const collect = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * Writes an export into a sink that only counts, timing the first bytes; every 40 units (and at the end) it collects
 * garbage and notes the heap still in use above where it started: flat if the export holds no more than a unit's rows.
 */
async function timeExport(format: 'csv' | 'xlsx', scope: string, make: () => Promise<OverdueExport>): Promise<ExportFigures> {
  collect();
  const baseline = process.memoryUsage().heapUsed;
  let retained = 0;
  const started = performance.now();
  let firstBytesMs = 0;
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      if (bytes === 0) firstBytesMs = performance.now() - started;
      bytes += Buffer.byteLength(chunk);
      done();
    },
  });
  const made = await make();
  let units = 0;
  const exp: OverdueExport = {
    summary: made.summary,
    async *units() {
      const note = () => {
        collect();
        retained = Math.max(retained, process.memoryUsage().heapUsed - baseline);
      };
      for await (const u of made.units()) {
        yield u;
        if (++units % 40 === 0) note();
      }
      note();
    },
  };
  if (format === 'csv') {
    for await (const piece of overdueCsv(exp)) if (!sink.write(piece)) await new Promise((r) => sink.once('drain', r));
    sink.end();
  } else {
    await writeOverdueXlsx(exp, sink);
  }
  return { format, scope, rows: exp.summary.total, bytes, firstBytesMs, totalMs: performance.now() - started, retainedMb: retained / 2 ** 20 };
}

export async function measureDashboards(seeded: SeededCounty, o: { runs: number }, log: (line: string) => void): Promise<DashboardFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'duty-bench-dashboard-'));
  const watched = counting(seeded.client);
  const ctx: ServiceContext = {
    settings: { ...settings(), dataDir },
    tree: async () => seeded.tree,
    temporal: async () => watched.client,
    catalog: () => Promise.reject(new Error('the bench has no catalog')),
    duty: () => Promise.reject(new Error('the bench has no catalog')),
  };
  const queries = async (fn: () => Promise<unknown>) => {
    const before = watched.counts();
    await fn();
    return watched.counts() - before;
  };
  const recompute = (viewer: Viewer, opts: DashboardOptions = {}) => () => dashboardFor(ctx, viewer, opts);
  try {
    // The first call starts both indexes; it counts, and the index of open tasks is listed meanwhile.
    const began = performance.now();
    const first = await dashboardFor(ctx, OPERATOR);
    const firstMs = performance.now() - began;
    const open = openTasksOf(watched.client, await auditLog(ctx));
    await open.ready();
    const openIndexMs = performance.now() - began;
    log(`dashboard: first county dashboard ${firstMs.toFixed(0)} ms (count queries); index of ${(await open.current())?.length ?? 0} open tasks ready after ${(openIndexMs / 1000).toFixed(1)} s`);
    const countsOnly = { county: await timed(o.runs, recompute(OPERATOR, { countsOnly: true })), township: await timed(o.runs, recompute(TOWNSHIP_SUPERVISOR, { countsOnly: true })) };
    const countQueries = { county: await queries(recompute(OPERATOR, { countsOnly: true })), township: await queries(recompute(TOWNSHIP_SUPERVISOR, { countsOnly: true })) };
    log(`dashboard: counts only: county ${countsOnly.county.medianMs.toFixed(0)} ms (${countQueries.county} count queries), township ${countsOnly.township.medianMs.toFixed(0)} ms (${countQueries.township})`);
    const county = await timed(o.runs, recompute(OPERATOR));
    const township = await timed(o.runs, recompute(TOWNSHIP_SUPERVISOR));
    log(`dashboard: from the index: county ${county.medianMs.toFixed(0)} ms, township t-01 ${township.medianMs.toFixed(0)} ms`);
    const cache = new DashboardCache(ctx, 30_000);
    const countyCached = await timed(o.runs, () => cache.get(OPERATOR, {}));
    const townshipCached = await timed(o.runs, () => cache.get(TOWNSHIP_SUPERVISOR, {}));
    const drillDown = await timed(o.runs, recompute(TOWNSHIP_SUPERVISOR, { unitId: 'v-001' }));
    const exports: ExportFigures[] = [];
    // The township's download beside the county's: a twentieth of the rows, to show memory does not follow them.
    for (const [format, scope, unitId] of [['csv', 'county', undefined], ['xlsx', 'county', undefined], ['csv', 'township t-01', 't-01']] as const) {
      const e = await timeExport(format, scope, () => overdueExportFor(ctx, OPERATOR, { unitId }));
      exports.push(e);
      log(`dashboard: ${scope} ${format} of ${e.rows} rows: first bytes ${e.firstBytesMs.toFixed(0)} ms, all ${(e.totalMs / 1000).toFixed(1)} s, ${(e.bytes / 2 ** 20).toFixed(1)} MB, heap retained ≤ +${e.retainedMb.toFixed(1)} MB`);
    }
    return {
      openTasks: seeded.openTasks,
      overdue: first.report.total,
      standings: seeded.standings,
      firstMs,
      openIndexMs,
      openHeld: (await open.current())?.length ?? 0,
      closedHeld: closedTasksOf(watched.client).size,
      countQueries,
      countsOnly,
      county,
      township,
      countyCached,
      townshipCached,
      drillDown,
      exports,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The table rows, each against its goal from issue 12. */
export function dashboardLines(f: DashboardFigures): Line[] {
  const size = `${f.openTasks.toLocaleString('en')} open tasks (${f.overdue.toLocaleString('en')} overdue)`;
  const median = (t: Timed) => `${seconds(t.medianMs)} (median of ${t.runs})`;
  const row = (measure: string, t: Timed, goalMs: number): Line => ({ scenario: 'dashboard', measure, value: median(t), goal: `≤ ${goalMs / 1000} s`, ok: t.medianMs <= goalMs });
  const note = (measure: string, value: string): Line => ({ scenario: 'dashboard', measure, value });
  return [
    row(`county dashboard, recomputed, ${size}`, f.county, 1000),
    row('one township, same data', f.township, 300),
    row('county dashboard, cached (shared per scope, 30 s)', f.countyCached, 1000),
    row('one township, cached', f.townshipCached, 300),
    note(`  counts only (while the index is built): county, ${f.countQueries.county} count queries`, median(f.countsOnly.county)),
    note(`  counts only: one township, ${f.countQueries.township} count queries`, median(f.countsOnly.township)),
    note(`  index of ${f.openHeld.toLocaleString('en')} open tasks built (first call ${seconds(f.firstMs)}); closed tasks held`, `${seconds(f.openIndexMs)}; ${f.closedHeld.toLocaleString('en')}`),
    note('one village drill-down (its overdue rows listed), recomputed', median(f.drillDown)),
    ...f.exports.flatMap((e): Line[] => [
      { scenario: 'dashboard', measure: `${e.scope} overdue ${e.format.toUpperCase()}, ${e.rows.toLocaleString('en')} rows: first bytes`, value: seconds(e.firstBytesMs), goal: '≤ 1 s', ok: e.firstBytesMs <= 1000 },
      note(`  all of it (${(e.bytes / 2 ** 20).toFixed(1)} MB); heap retained meanwhile (after GC, every 40 units)`, `${seconds(e.totalMs)}; ≤ +${e.retainedMb.toFixed(1)} MB`),
    ]),
  ];
}
