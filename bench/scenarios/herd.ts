import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { startCluster, type Cluster } from '../lib/cluster';
import { cpuSeconds } from '../lib/proc';
import { databaseDelta, type DatabaseFigures, type Target } from '../lib/target';
import { persistenceDelta, scrapePersistence, type PersistenceDelta } from '../lib/serverMetrics';
import { accountNotices, type ArrivalOf, smtpArrivals } from '../lib/notices';
import { startRobotFake, type RobotFake } from '../lib/robotFake';
import { herdRoster, robotEnv, villageCadres, villages, writeRoster } from '../lib/roster';
import { startRateLimitedSink, type RateLimitedSink } from '../lib/smtpSink';
import { sleep, spread, until, type Spread } from '../lib/stats';
import { occurrenceHerd, syntheticTask } from '../lib/tasks';
import { heraldMembersQuery, heraldWorkflowId } from '../../src/contracts/dutyNotices';
import { openTaskBatch } from '../../src/tasks/openBatch';
import { spawnWorker, type WorkerProcess } from '../lib/workerProcess';
import type { TaskInput } from '../../src/contracts/dutyTask';
import type { OrgTree } from '../../src/roster/orgTree';

export type HerdChannel = 'outbox' | 'smtp' | 'robot';

export interface HerdOptions {
  tasks: number;
  channel: HerdChannel;
  /** Messages a second the SMTP sink accepts. */
  smtpRate: number;
  /** Seconds from the first start to the shared reminder instant; 0 picks one from the size. */
  leadSec: number;
  cache: number;
  drainTimeoutSec: number;
  /** The holders sit in the first N villages only (1: one robot group of them all). */
  villages?: number;
}

export interface HerdResult {
  channel: string;
  tasks: number;
  smtpRate?: number;
  startSec: number;
  /** Tasks whose opening finished after the planned instant (the lead was too short). */
  startedAfterPlan: boolean;
  lateness: Spread;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Messages the channel accepted (robot: posts, including the parts of a long list). */
  messages: number;
  /** Robot answers refusing a message (45009: over 20 a minute). */
  refusals: number;
  drainSec: number;
  workerPeakRssMb: number;
  serverCpuSec: number;
  workerCpuSec: number;
  /** The server's own account of its SQLite work while the herd drained. */
  persistence: PersistenceDelta;
  /** PostgreSQL's own figures while the herd drained (cluster target). */
  database?: DatabaseFigures;
  opsPerNotice: number;
}

export interface HerdContext {
  bundle: string;
  log: (line: string) => void;
  /** The payload key the worker and the bench's client share, as every deployment of the engine does. */
  keys: PayloadKeys;
  target?: Target;
}

/** A client that encrypts like the engine's own (the CLI, dutyCycle's openTasks). */
export function engineClient(cluster: Cluster, keys: PayloadKeys): Client {
  return new Client({ connection: cluster.connection, namespace: cluster.server.namespace, dataConverter: dutyDataConverter(keys) });
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

export function workerEnv(o: { address: string; bundle: string; taskQueue: string; dir: string; cache: number; keys: PayloadKeys; smtpPort?: number; clientEnv?: Record<string, string> }): Record<string, string> {
  return {
    ...o.clientEnv,
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

const ROBOT_PREFIX = 'BENCH_WECOM_';

export async function runHerd(ctx: HerdContext, o: HerdOptions): Promise<HerdResult> {
  const cluster = await startCluster(`herd-${o.channel}`, { target: ctx.target });
  let sink: RateLimitedSink | undefined;
  let robots: RobotFake | undefined;
  let worker: WorkerProcess | undefined;
  try {
    const robot = o.channel === 'robot';
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), herdRoster({ cadres: o.tasks, villages: o.villages, ...(robot ? { robotEnvPrefix: ROBOT_PREFIX } : {}) }));
    if (o.channel === 'smtp') sink = await startRateLimitedSink(o.smtpRate);
    if (robot) robots = await startRobotFake();
    const robotVars = robots ? robotEnvFor(tree, robots) : {};
    const env = { ...workerEnv({ address: cluster.server.address, bundle: ctx.bundle, taskQueue: 'herd', dir: cluster.dir, cache: o.cache, keys: ctx.keys, smtpPort: sink?.port, clientEnv: cluster.clientEnv }), ...robotVars };
    worker = spawnWorker(env, path.join(cluster.dir, 'worker.log'));
    await worker.ready;
    const leadMs = (o.leadSec || 20 + o.tasks * 0.012) * 1000;
    const plannedAt = new Date(Math.ceil((Date.now() + leadMs) / 1000) * 1000);
    const inputs = occurrenceHerd(tree, villageCadres(tree).slice(0, o.tasks), plannedAt, 'h');
    ctx.log(`herd ${o.channel}: opening ${inputs.length} tasks of one occurrence, all reminding at ${plannedAt.toISOString()}`);
    const client = engineClient(cluster, ctx.keys);
    const began = Date.now();
    await openTaskBatch(client, 'herd', inputs);
    const startMs = Date.now() - began;
    const startedAfterPlan = Date.now() > plannedAt.getTime();
    if (startedAfterPlan) ctx.log(`herd ${o.channel}: opening took ${startMs} ms, past the planned instant; raise --herd-lead`);
    await sleep(Math.max(0, plannedAt.getTime() - Date.now()));
    const serverPids = cluster.serverPids();
    const serverCpu = () => serverPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const cpu0 = { server: serverCpu(), worker: cpuSeconds(worker.pid) };
    const db0 = await cluster.database();
    const metrics0 = await scrapePersistence(cluster.metricsUrls());
    const herald = client.workflow.getHandle(inputs[0]?.herald ?? heraldWorkflowId(inputs[0] as TaskInput));
    await until(async () => ((await herald.query(heraldMembersQuery).catch(() => undefined))?.sent ?? 0) >= inputs.length, o.drainTimeoutSec * 1000, 250);
    const drainSec = (Date.now() - plannedAt.getTime()) / 1000;
    const cpu = { server: serverCpu() - cpu0.server, worker: cpuSeconds(worker.pid) - cpu0.worker };
    const database = databaseDelta(db0, await cluster.database());
    const persistence = persistenceDelta(metrics0, await scrapePersistence(cluster.metricsUrls()));
    const arrivals = sink ? smtpArrivals(sink.arrivals) : robots ? robotArrivals(robots, plannedAt.getTime()) : outboxMessageArrivals(env.DUTY_OUTBOX_DIR as string);
    const account = await accountNotices(env, inputs.map((t) => t.taskId), 'reminder', plannedAt.getTime(), arrivals);
    return {
      channel: o.channel === 'smtp' ? `smtp ${o.smtpRate}/s` : o.channel === 'robot' ? 'WeCom robot 20/min' : 'outbox',
      tasks: inputs.length,
      ...(sink ? { smtpRate: o.smtpRate } : {}),
      startSec: startMs / 1000,
      startedAfterPlan,
      lateness: spread(account.lateness),
      delivered: account.delivered,
      lost: account.lost,
      duplicates: sink ? sink.arrivals.length - sink.unique().size : robots ? robotDuplicates(robots) : 0,
      messages: robots ? robots.accepted().length : account.messages,
      refusals: robots?.refusals().length ?? 0,
      drainSec,
      workerPeakRssMb: Math.round(worker.peakRss() / 1024 / 1024),
      serverCpuSec: Math.round(cpu.server),
      workerCpuSec: Math.round(cpu.worker),
      persistence,
      ...(database ? { database } : {}),
      opsPerNotice: account.delivered ? persistence.requests / account.delivered : Number.NaN,
    };
  } finally {
    await worker?.stop();
    await sink?.close();
    await robots?.close();
    await cluster.stop();
  }
}

/** Each village's robot variable, pointing at the fake under a key of the variable's own name. */
function robotEnvFor(tree: OrgTree, robots: RobotFake): Record<string, string> {
  return Object.fromEntries(villages(tree).map((v) => [robotEnv(ROBOT_PREFIX, v.id), robots.url(robotEnv(ROBOT_PREFIX, v.id))]));
}

/** A group message's id ends with its robot's variable (`…#wecom:BENCH_WECOM_V_001`): its first post after the instant. */
function robotArrivals(robots: RobotFake, fromMs: number): ArrivalOf {
  return (id) => robots.accepted(id.slice(id.indexOf('#wecom:') + '#wecom:'.length)).find((m) => m.at >= fromMs)?.at;
}

function robotDuplicates(robots: RobotFake): number {
  const bodies = robots.accepted().map((m) => `${m.key}|${JSON.stringify(m.body)}`);
  return bodies.length - new Set(bodies).size;
}

/** The outbox writes one file per message, named by the message id, with the instant it was written. */
function outboxMessageArrivals(dir: string): ArrivalOf {
  const byId = outboxArrivals(dir);
  return (id) => byId.get(id);
}
