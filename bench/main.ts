/**
 * npm run bench [-- --quick] [-- --only herd,report] …  (flags: npm run bench -- --help)
 * Starts its own dev server(s) on SQLite files in temp folders and its own workers; prints a table and writes
 * artifacts/bench/latest.json, a timestamped copy and artifacts/bench/summary.svg.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { REPO_ROOT, settings } from '../src/config';
import { installRuntimeLogging } from '../src/temporal/runtimeLogging';
import { keyIdOf, type PayloadKeys } from '../src/temporal/payloadKeys';
import { bundleToFile, ENGINE_WORKFLOWS } from './lib/bundle';
import { barChart } from './lib/chart';
import { busyNeighbours, cores, load } from './lib/proc';
import { printSideBySide } from './lib/sideBySide';
import { printTable, type Line } from './lib/table';
import { TARGETS, type Target } from './lib/target';
import { runCountyYear } from './scenarios/countyYear';
import type { HerdChannel } from './scenarios/herd';
import { runHerdSuite } from './scenarios/herdSuite';
import { runLoginUnderLoad } from './scenarios/loginUnderLoad';
import { runMemory } from './scenarios/memory';
import { runReport, type SeededCounty } from './scenarios/report';
import { dashboardLines, measureDashboards, type DashboardFigures } from './scenarios/dashboard';
import { runThroughput } from './scenarios/throughput';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const nums = (v: string) => list(v).map(Number);

const program = new Command('bench')
  .option('--quick', 'small sizes: the whole run in a few minutes')
  .option('--only <scenarios>', 'throughput,herd,report,memory,year,login', list, ['throughput', 'herd', 'report', 'memory', 'year', 'login'])
  .option('--tasks <n>', 'throughput: task workflows per side', Number, 2000)
  .option('--parallel <n>', 'throughput: lifecycles in flight', Number, 500)
  .option('--herd <n>', 'herd: open tasks reminding in the same minute', Number, 10000)
  .option('--herd-lead <s>', 'herd: seconds from the first start to the reminder (0: from the size)', Number, 0)
  .option('--herd-channels <list>', 'herd: outbox,smtp,robot', list, ['outbox', 'smtp', 'robot'])
  .option('--group-cadres <n>', 'herd: cadres in one WeCom robot group, all due at once (0: skip)', Number, 40)
  .option('--smtp-rate <n>', 'herd: messages a second the SMTP sink accepts', Number, 200)
  .option('--report-sizes <list>', 'report: open tasks in visibility', nums, [10000, 100000])
  .option('--overdue-share <f>', 'report: share of open tasks past their deadline', Number, 0.2)
  .option('--memory-sizes <list>', 'memory: open sleeping tasks', nums, [1000, 10000, 50000])
  .option('--memory-caches <list>', 'memory: maxCachedWorkflows values (the first is the default setting)', nums, [settings().maxCachedWorkflows, 1000])
  .option('--households <n>', 'county year: households with revisit programmes', Number, 5000)
  .option('--year-cache <n>', 'county year: maxCachedWorkflows of its worker (a year squeezed into minutes wakes every open workflow)', Number, 20000)
  .option('--login-tasks <n>', 'login: overdue tasks the export lists (at most the task-list cap, 5000)', Number, 3000)
  .option('--login-previews <n>', 'login: three-year previews loading at once', Number, 10)
  .option('--login-seconds <s>', 'login: how long the load runs while GET /login is timed', Number, 60)
  .option('--out <dir>', 'where results go', path.join(REPO_ROOT, 'artifacts', 'bench'))
  .option('--target <list>', 'dev,cluster: throughput, herd and report on each, side by side (cluster: the one `npm run cluster -- up` runs)', targetList, ['dev']);

function targetList(v: string): Target[] {
  const wanted = list(v);
  const unknown = wanted.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0 || wanted.length === 0) throw new InvalidArgumentError(`目标只能是 ${TARGETS.join('、')},实际为 ${v}`);
  return wanted as Target[];
}

interface Opts {
  quick?: boolean;
  only: string[];
  tasks: number;
  parallel: number;
  herd: number;
  herdLead: number;
  herdChannels: string[];
  groupCadres: number;
  smtpRate: number;
  reportSizes: number[];
  overdueShare: number;
  memorySizes: number[];
  memoryCaches: number[];
  households: number;
  yearCache: number;
  loginTasks: number;
  loginPreviews: number;
  loginSeconds: number;
  out: string;
  target: Target[];
}

function quick(o: Opts, given: (name: string) => boolean): Opts {
  const q = <T>(name: string, value: T, small: T): T => (given(name) ? value : small);
  return {
    ...o,
    tasks: q('tasks', o.tasks, 200),
    parallel: q('parallel', o.parallel, 100),
    herd: q('herd', o.herd, 500),
    reportSizes: q('reportSizes', o.reportSizes, [1000, 3000]),
    memorySizes: q('memorySizes', o.memorySizes, [300, 1000]),
    memoryCaches: q('memoryCaches', o.memoryCaches, [settings().maxCachedWorkflows]),
    households: q('households', o.households, 100),
    loginTasks: q('loginTasks', o.loginTasks, 1000),
    loginSeconds: q('loginSeconds', o.loginSeconds, 20),
  };
}

// ─── Dashboards from counts (issue 12) ─────────────────────────────────────────────────────────────────────────
// Measured on the report scenario's seeded server after each of its sizes: the same tasks, the same run.
program
  .option('--report-data <dir>', 'report, dashboard: keep the seeded dev server in this folder and reuse it next time (seeding 100,000 tasks takes 20 minutes or more)')
  .option('--dashboard-runs <n>', 'dashboard: timed runs per figure (the median is shown)', Number, 5);

function dashboardsBeside(log: (line: string) => void) {
  const o = program.opts<{ reportData?: string; dashboardRuns: number }>();
  const figures: DashboardFigures[] = [];
  const afterSize = async (seeded: SeededCounty) => void figures.push(await measureDashboards(seeded, { runs: o.dashboardRuns }, log));
  return { options: { dataDir: o.reportData, afterSize }, figures, lines: () => figures.flatMap(dashboardLines) };
}
// ─── end of dashboards from counts ─────────────────────────────────────────────────────────────────────────────

function scoreSpread(scores: number[]): string {
  const sorted = [...scores].sort((a, b) => a - b);
  return `${sorted[0] ?? '—'} / ${sorted[Math.floor(sorted.length / 2)] ?? '—'} / ${sorted.at(-1) ?? '—'}`;
}

/** The scenarios that run on either target: throughput, herd and report (with the dashboards beside it). */
async function targeted(target: Target, o: Opts, ctx: { engine: string; bare: string; keys: PayloadKeys; log: (line: string) => void }): Promise<{ results: Record<string, unknown>; lines: Line[]; bars: Parameters<typeof barChart>[1] }> {
  const { engine, bare, keys, log } = ctx;
  const results: Record<string, unknown> = {};
  const lines: Line[] = [];
  const bars: Parameters<typeof barChart>[1] = [];
    if (o.only.includes('throughput')) {
    log(`throughput on ${target}: ${o.tasks} tasks per side`);
    const r = await runThroughput({ engine, bare }, keys, { tasks: o.tasks, parallel: o.parallel, timerMs: 1000, cache: settings().maxCachedWorkflows, target });
    results.throughput = r;
    lines.push(
      { scenario: 'throughput', measure: `engine, ${r.tasks} tasks`, value: `${r.engine.tasksPerSec.toFixed(1)} tasks/s` },
      { scenario: 'throughput', measure: `bare workflow, ${r.tasks} tasks`, value: `${r.bare.tasksPerSec.toFixed(1)} tasks/s` },
      { scenario: 'throughput', measure: 'ratio engine ÷ bare', value: r.ratio.toFixed(2), goal: '≥ 0.8', ok: r.ratio >= 0.8 },
    );
    for (const [side, d] of Object.entries(r.database ?? {})) {
      if (d) lines.push({ scenario: 'throughput', measure: `${side}: PostgreSQL rows written per task / time in PostgreSQL`, value: `${(d.rowsWritten / r.tasks).toFixed(1)} / ${d.activeSec} s` });
    }
    bars.push({ label: 'throughput ratio engine ÷ bare', value: r.ratio, goal: 0.8, unit: '', lowerIsBetter: false });
  }
  if (o.only.includes('herd')) {
    const herd = await runHerdSuite({ bundle: engine, log, keys, target }, { tasks: o.herd, channels: o.herdChannels as HerdChannel[], smtpRate: o.smtpRate, leadSec: o.herdLead, cache: settings().maxCachedWorkflows, groupCadres: o.groupCadres, bareBundle: bare });
    results.herd = herd.result;
    lines.push(...herd.lines);
    bars.push(...herd.bars);
  }
  if (o.only.includes('report')) {
    const dashboards = dashboardsBeside(log);
    const rows = await runReport({ sizes: o.reportSizes, overdueShare: o.overdueShare, repeats: 3, ...dashboards.options, target }, log);
    results.report = rows;
    for (const r of rows) {
      const big = r.openTasks >= 100_000;
      lines.push({ scenario: 'report', measure: `${r.openTasks} open, ${r.scope} (${r.rows} overdue rows)`, value: `${r.medianSec.toFixed(2)} s`, ...(big ? { goal: '≤ 2 s', ok: r.medianSec <= 2 } : {}) });
      bars.push({ label: `report ${r.openTasks / 1000}k open, ${r.scope}`, value: r.medianSec, ...(big ? { goal: 2 } : {}), unit: 's', lowerIsBetter: true });
    }
    results.dashboard = dashboards.figures;
    lines.push(...dashboards.lines());
  }
  return { results, lines, bars };
}

async function main(): Promise<void> {
  program.parse();
  let o = program.opts<Opts>();
  if (o.quick) o = quick(o, (name) => program.getOptionValueSource(name) === 'cli');
  installRuntimeLogging(pino({ level: 'error' }));
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'duty-bench-'));
  const key = randomBytes(32);
  const keys: PayloadKeys = { current: { id: keyIdOf(key), key }, all: new Map([[keyIdOf(key), key]]), source: 'bench' };
  const before = { load: load(), neighbours: busyNeighbours([]) };
  log(`machine: ${cores()} cores, load ${before.load}; busy: ${before.neighbours.join(' | ') || 'nothing else'}`);
  const engine = await bundleToFile(ENGINE_WORKFLOWS, path.join(work, 'engine.js'));
  const bare = await bundleToFile(path.join(__dirname, 'workflows', 'bare.ts'), path.join(work, 'bare.js'));
  const results: Record<string, unknown> = {};
  const lines: Line[] = [];
  const bars: Parameters<typeof barChart>[1] = [];
  const began = Date.now();
  let sideBySide: Map<Target, Line[]> | undefined;
  try {
    const byTarget = new Map<Target, Line[]>();
    for (const target of o.target) {
      const r = await targeted(target, o, { engine, bare, keys, log });
      byTarget.set(target, r.lines);
      if (o.target.length === 1) {
        Object.assign(results, r.results);
        lines.push(...r.lines);
        bars.push(...r.bars);
      } else results[target] = r.results;
    }
    if (o.target.length > 1) sideBySide = byTarget;
    if (o.only.includes('memory')) {
      const rows = await runMemory({ bundle: engine, log, keys }, { sizes: o.memorySizes, caches: o.memoryCaches });
      results.memory = rows;
      for (const r of rows.filter((x) => x.openTasks > 0)) {
        const goal = r.openTasks === 10_000;
        lines.push({ scenario: 'memory', measure: `${r.openTasks} sleeping tasks, cache ${r.cache} (${r.cached} cached)`, value: `RSS ${r.rssMb} MB, heap ${r.heapUsedMb} MB`, ...(goal ? { goal: 'RSS ≤ 600 MB', ok: r.rssMb <= 600 } : {}) });
        bars.push({ label: `RSS, ${r.openTasks / 1000}k open, cache ${r.cache}`, value: r.rssMb, ...(goal ? { goal: 600 } : {}), unit: 'MB', lowerIsBetter: true });
      }
    }
    if (o.only.includes('year')) {
      const r = await runCountyYear(engine, keys, { households: o.households, lateShare: 0.1, neverShare: 0.05, cache: o.yearCache }, log);
      results.countyYear = r;
      const n = r.notices;
      lines.push(
        { scenario: 'county year', measure: `${r.year}: ${r.shape}, households ${r.households}, cache ${r.cache}`, value: `${r.tasks} tasks in ${r.wallSec.toFixed(0)} s` },
        { scenario: 'county year', measure: 'notices: reminder / overdue / escalation / repeat', value: `${n.reminder ?? 0} / ${n.overdue ?? 0} / ${n.escalation ?? 0} / ${n.repeat ?? 0}` },
        { scenario: 'county year', measure: 'tasks escalated / completed / open at year end', value: `${r.escalatedTasks} / ${r.completed} / ${r.openAtYearEnd}` },
        { scenario: 'county year', measure: `考核 of ${r.scores.length} units (table above): score min / median / max`, value: scoreSpread(r.scores.map((u) => u.score)) },
      );
    }
    if (o.only.includes('login')) {
      const r = await runLoginUnderLoad({ tasks: o.loginTasks, previews: o.loginPreviews, seconds: o.loginSeconds }, keys, log);
      results.login = r;
      const ms = (v: number) => `${v.toFixed(1)} ms`;
      const [list, xlsx] = r.exports;
      lines.push(
        { scenario: 'login', measure: `GET /login alone: p50 / p99 (${r.loginIdle.count} loads)`, value: `${ms(r.loginIdle.p50)} / ${ms(r.loginIdle.p99)}` },
        { scenario: 'login', measure: `under load: ${r.previews} three-year previews + exports of all ${r.tasks} tasks, ${r.seconds} s: p50 / max (${r.loginLoaded.count} loads)`, value: `${ms(r.loginLoaded.p50)} / ${ms(r.loginLoaded.max)}` },
        { scenario: 'login', measure: 'login p99 under load', value: ms(r.loginLoaded.p99), goal: '≤ 100 ms', ok: r.loginLoaded.p99 <= 100 },
        { scenario: 'login', measure: `previews served meanwhile: count, p50 / p99`, value: `${r.previewMs.count}, ${ms(r.previewMs.p50)} / ${ms(r.previewMs.p99)}` },
        ...(list ? [{ scenario: 'login', measure: `${list.kind}, ${list.rows} rows: count, p50`, value: `${list.ms.count}, ${ms(list.ms.p50)}` }] : []),
        ...(xlsx ? [{ scenario: 'login', measure: `${xlsx.kind}, ${(xlsx.bytes / 1024).toFixed(0)} KB: count, p50`, value: `${xlsx.ms.count}, ${ms(xlsx.ms.p50)}` }] : []),
        { scenario: 'login', measure: 'CPU during the load: HTTP process / worker process; refused requests', value: `${r.cpuSec.http.toFixed(1)} / ${r.cpuSec.worker.toFixed(1)} s; ${r.loadErrors}` },
      );
      bars.push({ label: 'login p99 under load', value: r.loginLoaded.p99, goal: 100, unit: 'ms', lowerIsBetter: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const after = { load: load(), neighbours: busyNeighbours([]) };
  const meta = { at: new Date().toISOString(), node: process.version, cores: cores(), totalSec: (Date.now() - began) / 1000, args: process.argv.slice(2), before, after };
  // With several targets every figure is in the side-by-side table; the other scenarios (memory, year, login) in this one.
  if (lines.length > 0) printTable(lines);
  if (sideBySide) printSideBySide(sideBySide);
  process.stdout.write(`\nmachine: ${meta.cores} cores; load before ${before.load}, after ${after.load}; ${meta.totalSec.toFixed(0)} s in all\n`);
  mkdirSync(o.out, { recursive: true });
  const json = JSON.stringify({ meta, options: o, results, table: lines }, null, 2);
  writeFileSync(path.join(o.out, 'latest.json'), json);
  writeFileSync(path.join(o.out, `results-${meta.at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(path.join(o.out, 'summary.svg'), barChart(`npm run bench ${meta.args.join(' ')} — ${meta.at.slice(0, 16)}`, bars));
  process.stdout.write(`results: ${path.relative(process.cwd(), path.join(o.out, 'latest.json'))}, chart: ${path.relative(process.cwd(), path.join(o.out, 'summary.svg'))}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
