import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { startCluster, type Cluster } from '../lib/cluster';
import { cpuSeconds, findPid } from '../lib/proc';
import { persistenceDelta, scrapePersistence, type PersistenceDelta } from '../lib/serverMetrics';
import { countyRoster, villages, writeRoster } from '../lib/roster';
import { startRateLimitedSink, type RateLimitedSink } from '../lib/smtpSink';
import { sleep, spread, until, type Spread } from '../lib/stats';
import { startAll, syntheticTask } from '../lib/tasks';
import { spawnWorker, type WorkerProcess } from '../lib/workerProcess';
import type { TaskInput } from '../../src/contracts/dutyTask';
import type { OrgTree } from '../../src/roster/orgTree';

export interface HerdOptions {
  tasks: number;
  channel: 'outbox' | 'smtp';
  /** Messages a second the SMTP sink accepts. */
  smtpRate: number;
  /** Seconds from the first start to the shared reminder instant; 0 picks one from the size. */
  leadSec: number;
  cache: number;
  drainTimeoutSec: number;
}

export interface HerdResult {
  channel: string;
  tasks: number;
  smtpRate?: number;
  startSec: number;
  /** Tasks whose first workflow task ran after the planned instant (the lead was too short). */
  startedAfterPlan: boolean;
  lateness: Spread;
  delivered: number;
  lost: number;
  duplicates: number;
  drainSec: number;
  workerPeakRssMb: number;
  serverCpuSec: number;
  workerCpuSec: number;
  /** The server's own account of its SQLite work while the herd drained. */
  persistence: PersistenceDelta;
}

export interface HerdContext {
  bundle: string;
  log: (line: string) => void;
  /** The payload key the worker and the bench's client share, as every deployment of the engine does. */
  keys: PayloadKeys;
}

/** A client that encrypts like the engine's own (the CLI, dutyCycle's openTasks). */
export function engineClient(cluster: Cluster, keys: PayloadKeys): Client {
  return new Client({ connection: cluster.connection, namespace: 'default', dataConverter: dutyDataConverter(keys) });
}

/** A herd's shared pieces: a county roster, N tasks all reminding at `plannedAt`, spread over the villages. */
export function herdInputs(tree: OrgTree, n: number, plannedAt: Date, tag: string): TaskInput[] {
  const vs = villages(tree);
  const dueAt = new Date(plannedAt.getTime() + 30 * 86_400_000);
  return Array.from({ length: n }, (_, i) =>
    syntheticTask(tree, { dutyId: 'bench-herd', period: `${tag}-${Math.floor(i / vs.length)}`, unitId: (vs[i % vs.length] as { id: string }).id, reminders: [plannedAt], dueAt }),
  );
}

/** Accepted-at instants by message id, from the outbox files the channel wrote. */
export function outboxArrivals(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return out;
  }
  for (const name of names) {
    const body = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { id: string; writtenAt: string };
    out.set(body.id, Date.parse(body.writtenAt));
  }
  return out;
}

export function workerEnv(o: { address: string; bundle: string; taskQueue: string; dir: string; cache: number; keys: PayloadKeys; smtpPort?: number }): Record<string, string> {
  return {
    DUTY_PAYLOAD_KEY: o.keys.current?.key.toString('base64') ?? 'off',
    TEMPORAL_ADDRESS: o.address,
    BENCH_BUNDLE: o.bundle,
    DUTY_TASK_QUEUE: o.taskQueue,
    DUTY_DATA_DIR: path.join(o.dir, 'data'),
    DUTY_CATALOG_DIR: path.join(o.dir, 'catalog'),
    DUTY_OUTBOX_DIR: path.join(o.dir, 'outbox'),
    DUTY_MAX_CACHED_WORKFLOWS: String(o.cache),
    // The herd measures capacity, not the calendar: at 20:00 or on a Sunday every send would wait for 08:00.
    DUTY_QUIET_HOURS: 'off',
    ...(o.smtpPort ? { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(o.smtpPort), SMTP_FROM: 'bench <bench@example.org>' } : {}),
  };
}

export async function runHerd(ctx: HerdContext, o: HerdOptions): Promise<HerdResult> {
  const cluster = await startCluster(`herd-${o.channel}`);
  let sink: RateLimitedSink | undefined;
  let worker: WorkerProcess | undefined;
  try {
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), countyRoster());
    if (o.channel === 'smtp') sink = await startRateLimitedSink(o.smtpRate);
    const env = workerEnv({ address: cluster.server.address, bundle: ctx.bundle, taskQueue: 'herd', dir: cluster.dir, cache: o.cache, keys: ctx.keys, smtpPort: sink?.port });
    worker = spawnWorker(env, path.join(cluster.dir, 'worker.log'));
    await worker.ready;
    const leadMs = (o.leadSec || 20 + o.tasks * 0.012) * 1000;
    const plannedAt = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
    const inputs = herdInputs(tree, o.tasks, plannedAt, 'h');
    ctx.log(`herd ${o.channel}: starting ${o.tasks} tasks, all reminding at ${plannedAt.toISOString()}`);
    const startMs = await startAll(engineClient(cluster, ctx.keys), 'herd', inputs);
    const startedAfterPlan = Date.now() > plannedAt.getTime();
    if (startedAfterPlan) ctx.log(`herd ${o.channel}: starting took ${startMs} ms, past the planned instant; raise --herd-lead`);
    await sleep(Math.max(0, plannedAt.getTime() - Date.now()));
    const serverPid = findPid(cluster.dbFile);
    const cpu0 = { server: cpuSeconds(serverPid), worker: cpuSeconds(worker.pid) };
    const metrics0 = await scrapePersistence(cluster.metricsUrl());
    const outboxDir = env.DUTY_OUTBOX_DIR as string;
    const count = () => (sink ? sink.unique().size : readdirSync(outboxDir, { withFileTypes: true }).filter((d) => d.name.endsWith('.json')).length);
    await until(() => {
      try {
        return count() >= o.tasks;
      } catch {
        return false;
      }
    }, o.drainTimeoutSec * 1000, 500);
    const drainSec = (Date.now() - plannedAt.getTime()) / 1000;
    const cpu = { server: cpuSeconds(serverPid) - cpu0.server, worker: cpuSeconds(worker.pid) - cpu0.worker };
    const persistence = persistenceDelta(metrics0, await scrapePersistence(cluster.metricsUrl()));
    const accepted = sink ? firstArrivals(sink) : outboxArrivals(outboxDir);
    const lateness = [...accepted.values()].map((at) => at - plannedAt.getTime());
    return {
      channel: o.channel === 'smtp' ? `smtp ${o.smtpRate}/s` : 'outbox',
      tasks: o.tasks,
      ...(sink ? { smtpRate: o.smtpRate } : {}),
      startSec: startMs / 1000,
      startedAfterPlan,
      lateness: spread(lateness),
      delivered: accepted.size,
      lost: o.tasks - accepted.size,
      duplicates: sink ? sink.arrivals.length - sink.unique().size : 0,
      drainSec,
      workerPeakRssMb: Math.round(worker.peakRss() / 1024 / 1024),
      serverCpuSec: Math.round(cpu.server),
      workerCpuSec: Math.round(cpu.worker),
      persistence,
    };
  } finally {
    await worker?.stop();
    await sink?.close();
    await cluster.stop();
  }
}

function firstArrivals(sink: RateLimitedSink): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of sink.arrivals) if (!out.has(a.messageId)) out.set(a.messageId, a.at);
  return out;
}
