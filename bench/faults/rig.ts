import { cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { REPO_ROOT } from '../../src/config';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import type { OrgTree } from '../../src/roster/orgTree';
import { startCluster, type Cluster } from '../lib/cluster';
import { accountNotices, type NoticeAccount, smtpArrivals, workerDeliveries } from '../lib/notices';
import { herdRoster, villageCadres, writeRoster } from '../lib/roster';
import { startRateLimitedSink, type RateLimitedSink } from '../lib/smtpSink';
import { until } from '../lib/stats';
import { occurrenceHerd } from '../lib/tasks';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { spawnWorker, type WorkerProcess } from '../lib/workerProcess';
import { engineClient, outboxArrivals, workerEnv } from '../scenarios/herd';
import type { Person } from '../../src/shared/types';

export interface RigOptions {
  label: string;
  tasks: number;
  /** SMTP sink rate; 0 sends to the outbox instead of a sink. */
  smtpRate: number;
  leadSec: number;
  bundle: string;
  keys: PayloadKeys;
  extraPeople?: Person[];
  /** Only the server and the catalog folder: for the fuzzers, whose inputs must not need a worker. */
  noWorker?: boolean;
  logLevel?: string;
}

/** A dev server, an SMTP sink, a worker process and N open tasks of one occurrence, each its own holder's, that all remind at `plannedAt`. */
export interface Rig {
  cluster: Cluster;
  client: Client;
  tree: OrgTree;
  sink?: RateLimitedSink;
  worker: WorkerProcess;
  workerEnv: Record<string, string>;
  plannedAt: Date;
  taskIds: string[];
  /** Each task's reminder, as its delivery record and the channel's own record of the message agree. */
  reminders(): Promise<NoticeAccount>;
  /** Kills the current worker (if alive) and starts a fresh one on the same data folder. */
  respawn(): Promise<WorkerProcess>;
  logFiles(): string[];
  close(): Promise<void>;
}

export async function openRig(o: RigOptions): Promise<Rig> {
  const cluster = await startCluster(o.label);
  const tree = writeRoster(path.join(cluster.dir, 'catalog'), herdRoster({ cadres: o.tasks }, o.extraPeople));
  // The worker reads event-triggered duties (household revisits) from the same folder as the roster.
  cpSync(path.join(REPO_ROOT, 'catalog', 'default', 'duties'), path.join(cluster.dir, 'catalog', 'duties'), { recursive: true });
  const sink = o.smtpRate > 0 ? await startRateLimitedSink(o.smtpRate) : undefined;
  const env: Record<string, string> = { ...workerEnv({ address: cluster.server.address, bundle: o.bundle, taskQueue: o.label, dir: cluster.dir, cache: 250, keys: o.keys, smtpPort: sink?.port }), ...(o.logLevel ? { LOG_LEVEL: o.logLevel } : {}) };
  let generation = 0;
  const spawn = () => (o.noWorker ? idleWorker() : spawnWorker(env, path.join(cluster.dir, `worker-${++generation}.log`)));
  const rig: Rig = {
    cluster,
    client: engineClient(cluster, o.keys),
    tree,
    sink,
    worker: spawn(),
    workerEnv: env,
    plannedAt: new Date(0),
    taskIds: [],
    reminders: () =>
      accountNotices(env, rig.taskIds, 'reminder', rig.plannedAt.getTime(), sink ? smtpArrivals(sink.arrivals) : (id) => outboxArrivals(env.DUTY_OUTBOX_DIR as string).get(id)),
    async respawn() {
      await rig.worker.kill9();
      rig.worker = spawn();
      await rig.worker.ready;
      return rig.worker;
    },
    logFiles: () => readdirSync(cluster.dir).filter((f) => f.startsWith('worker-')).map((f) => path.join(cluster.dir, f)),
    async close() {
      await rig.worker.stop();
      await sink?.close();
      await cluster.stop();
    },
  };
  try {
    await rig.worker.ready;
    if (o.tasks > 0) {
      rig.plannedAt = new Date(Math.ceil((Date.now() + o.leadSec * 1000) / 1000) * 1000);
      const inputs = occurrenceHerd(tree, villageCadres(tree).slice(0, o.tasks), rig.plannedAt, o.label);
      rig.taskIds = inputs.map((i) => i.taskId);
      await openTaskBatch(rig.client, o.label, inputs);
    }
  } catch (err) {
    await rig.close();
    throw err;
  }
  return rig;
}

/**
 * Settled: every task's reminder is written down as sent, so the herald's batch is done and no late duplicate can
 * still arrive. Returns false at the timeout.
 */
export async function waitSettled(rig: Rig, timeoutMs: number): Promise<boolean> {
  const log = await workerDeliveries(rig.workerEnv);
  const pending = new Set(rig.taskIds);
  return until(async () => {
    for (const id of [...pending]) if ((await log.forTask(id)).some((d) => d.kind === 'reminder' && d.result === 'sent')) pending.delete(id);
    return pending.size === 0;
  }, timeoutMs, 1000);
}

/** Log lines of the engine's ledger saying it repeated a send that was in doubt after a restart. */
export function inDoubtRepeats(rig: Rig): number {
  return rig.logFiles().reduce((n, f) => n + (readFileSync(f, 'utf8').match(/repeating a send that was in doubt/g)?.length ?? 0), 0);
}

/** Stands in for a worker where none is wanted. */
function idleWorker(): WorkerProcess {
  const never = new Promise<number | null>(() => undefined);
  return { pid: -1, ready: Promise.resolve(), exited: never, stats: () => undefined, peakRss: () => 0, measure: () => new Promise(() => undefined), kill9: async () => undefined, stop: async () => undefined };
}
