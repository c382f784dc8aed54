import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { accountStore } from '../../src/auth/accounts';
import { REPO_ROOT, settings } from '../../src/config';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { CatalogSource } from '../../src/sources/catalogSource';
import { storeBackend } from '../../src/store/backend';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import { startCluster } from '../lib/cluster';
import { cpuSeconds } from '../lib/proc';
import { villages } from '../lib/roster';
import { sleep, spread, type Spread } from '../lib/stats';
import { startAll, syntheticTask } from '../lib/tasks';

export interface LoginLoadOptions {
  /** Open tasks in visibility, all past their deadline: the export lists every one of them. */
  tasks: number;
  /** Preview loops running at once, each asking for the longest range allowed (three years). */
  previews: number;
  /** How long the load runs while GET /login is timed. */
  seconds: number;
}

export interface LoginLoadResult {
  tasks: number;
  previews: number;
  seconds: number;
  pids: { worker: number; http: number };
  loginIdle: Spread;
  loginLoaded: Spread;
  previewMs: Spread;
  /** Answers other than 200 from the load (there should be none). */
  loadErrors: number;
  exports: { kind: string; rows: number; ms: Spread; bytes: number }[];
  cpuSec: { worker: number; http: number };
}

const PASSWORD = 'bench-password-1';
const ADMIN = 'p-admin';
const CADRE = 'p-xhz-cadre1';
/** The longest range allowed (three years), starting in a different year each time as an attacker would vary it. */
const preview = (n: number) => `/api/duties/monthly-data-import/preview?from=${2026 + (n % 20)}-01-01&to=${2028 + (n % 20)}-12-31`;
const EXPORTS = [
  { kind: 'task list JSON (GET /api/tasks)', url: '/api/tasks' },
  { kind: 'overdue Excel (GET /api/reports/overdue?format=xlsx)', url: '/api/reports/overdue?format=xlsx' },
];
const NO_WORKER_QUEUE = 'login-bench-unpolled';
/** Pause between two timed sign-in page loads: a steady stream of people opening the page, not a flood. */
const PROBE_GAP_MS = 20;

/**
 * `npm start` exactly as an operator runs it (worker process + HTTP child process) against a dev server of its own,
 * with `tasks` overdue tasks in visibility. While `previews` cadres each load the longest preview allowed in a loop
 * (three years, a different start year each time) and an administrator exports every task in a loop (the task list
 * as JSON, then the overdue report as Excel), the sign-in page is loaded one request at a time and timed. The figure
 * is its p99.
 */
export async function runLoginUnderLoad(o: LoginLoadOptions, keys: PayloadKeys, log: (line: string) => void): Promise<LoginLoadResult> {
  const cluster = await startCluster('login');
  let engine: { child: ChildProcess; exited: Promise<number | null> } | undefined;
  try {
    const tree = new CatalogSource(path.join(REPO_ROOT, 'catalog', 'default')).tree();
    const vs = villages(tree);
    const client = new Client({ connection: cluster.connection, namespace: cluster.server.namespace, dataConverter: dutyDataConverter(keys) });
    const now = Date.now();
    const inputs = Array.from({ length: o.tasks }, (_, i) =>
      syntheticTask(tree, { dutyId: 'bench-login', period: `r${Math.floor(i / vs.length)}`, unitId: vs[i % vs.length]?.id ?? '', reminders: [], dueAt: new Date(now - 3_600_000 - (i % 30) * 86_400_000) }),
    );
    log(`login: starting ${o.tasks} overdue tasks`);
    await startAll(client, NO_WORKER_QUEUE, inputs, 64);
    for (;;) {
      const { count } = await client.workflow.count(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).taskQueue(NO_WORKER_QUEUE).build());
      if (count >= o.tasks) break;
      await sleep(500);
    }

    const dataDir = path.join(cluster.dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    // Where the engine started below will look: the same data directory, or DUTY_DATABASE_URL when set.
    const accounts = accountStore(await storeBackend({ dataDir, databaseUrl: settings().databaseUrl }));
    for (const id of [ADMIN, CADRE]) await accounts.setPassword(id, PASSWORD);
    log('login: starting npm start (scripts/start.ts)');
    const started = await startEngine(cluster.server.address, dataDir, keys, path.join(cluster.dir, 'start.log'));
    engine = started;
    const { web, pids } = started;
    const admin = await signIn(web, ADMIN);
    const cadre = await signIn(web, CADRE);

    // Warm both sides (first preview loads the holiday data, first export the Excel library), then the idle figure.
    await get(web, preview(0), cadre);
    for (const e of EXPORTS) await get(web, e.url, admin);
    const loginIdle = spread(await probeLogin(web, () => false, 200));

    log(`login: ${o.previews} previews + exports for ${o.seconds} s, timing GET /login`);
    const cpuBefore = { worker: cpuSeconds(pids.worker), http: cpuSeconds(pids.http) };
    const deadline = Date.now() + o.seconds * 1000;
    const over = () => Date.now() > deadline;
    const previewTimes: number[] = [];
    const exportTimes = EXPORTS.map(() => ({ ms: [] as number[], rows: 0, bytes: 0 }));
    let loadErrors = 0;
    const previewLoops = Array.from({ length: o.previews }, async (_, loop) => {
      for (let i = 0; !over(); i++) {
        const r = await get(web, preview(loop * 7 + i), cadre);
        if (r.status === 200) previewTimes.push(r.ms);
        else loadErrors += 1;
      }
    });
    const exportLoop = (async () => {
      for (let i = 0; !over(); i++) {
        const which = i % EXPORTS.length;
        const r = await get(web, EXPORTS[which]?.url ?? '', admin);
        const slot = exportTimes[which];
        if (r.status !== 200 || !slot) {
          loadErrors += 1;
          continue;
        }
        slot.ms.push(r.ms);
        slot.bytes = r.bytes;
        if (which === 0) slot.rows = (JSON.parse(r.text) as unknown[]).length;
      }
    })();
    const loaded = await probeLogin(web, over);
    await Promise.all([...previewLoops, exportLoop]);
    const cpuSec = { worker: cpuSeconds(pids.worker) - cpuBefore.worker, http: cpuSeconds(pids.http) - cpuBefore.http };
    return {
      tasks: o.tasks,
      previews: o.previews,
      seconds: o.seconds,
      pids,
      loginIdle,
      loginLoaded: spread(loaded),
      previewMs: spread(previewTimes),
      loadErrors,
      exports: EXPORTS.map((e, i) => ({ kind: e.kind, rows: exportTimes[i]?.rows || o.tasks, ms: spread(exportTimes[i]?.ms ?? []), bytes: exportTimes[i]?.bytes ?? 0 })),
      cpuSec,
    };
  } finally {
    if (engine) await stopEngine(engine);
    await cluster.stop();
  }
}

async function startEngine(address: string, dataDir: string, keys: PayloadKeys, logFile: string): Promise<{ child: ChildProcess; exited: Promise<number | null>; web: string; pids: { worker: number; http: number } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'start.ts')], {
    cwd: REPO_ROOT,
    // Its own process group: stopped as Ctrl-C stops it, and nothing is left behind if the bench dies.
    detached: true,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      DUTY_DATA_DIR: dataDir,
      DUTY_HTTP_PORT: '0',
      DUTY_PAYLOAD_KEY: keys.current?.key.toString('base64') ?? 'off',
      DUTY_TASK_QUEUE: 'login-bench',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.once('exit', () => child.exitCode === null && process.kill(-(child.pid ?? 0), 'SIGKILL'));
  const file = createWriteStream(logFile);
  let out = '';
  const collect = (c: Buffer) => {
    out += c.toString();
    file.write(c);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const deadline = Date.now() + 120_000;
  while (!out.includes('ready')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not become ready; see ${logFile}`);
    await sleep(200);
  }
  const web = /督办网页与 API:\s+(http:\/\/[\d.:]+)/.exec(out)?.[1];
  const [, worker, http] = (/worker (\d+),网页与 API (\d+)/.exec(out) ?? []).map(Number);
  if (!web || !worker || !http) throw new Error(`could not read the address and pids from npm start's banner; see ${logFile}`);
  return { child, exited, web, pids: { worker, http } };
}

async function stopEngine(engine: { child: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  if (engine.child.exitCode !== null) return;
  process.kill(-(engine.child.pid ?? 0), 'SIGINT');
  const timer = setTimeout(() => process.kill(-(engine.child.pid ?? 0), 'SIGKILL'), 30_000);
  await engine.exited;
  clearTimeout(timer);
}

async function signIn(web: string, personId: string): Promise<string> {
  const res = await fetch(`${web}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`sign-in of ${personId}: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function get(web: string, url: string, cookie?: string): Promise<{ status: number; ms: number; text: string; bytes: number }> {
  const t = performance.now();
  const res = await fetch(`${web}${url}`, { headers: cookie ? { cookie } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, ms: performance.now() - t, text: body.toString('utf8'), bytes: body.length };
}

/** GET /login one at a time, PROBE_GAP_MS apart, until `stop()` or `count` samples; the latencies in ms. */
async function probeLogin(web: string, stop: () => boolean, count = Number.POSITIVE_INFINITY): Promise<number[]> {
  const times: number[] = [];
  while (!stop() && times.length < count) {
    const r = await get(web, '/login');
    if (r.status !== 200) throw new Error(`GET /login answered ${r.status}`);
    times.push(r.ms);
    await sleep(PROBE_GAP_MS);
  }
  return times;
}
