import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { settings } from '../../src/config';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';
import { OutboxChannel } from '../../src/notify/outbox';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { startTask } from '../../src/tasks/start';
import { completeTaskUpdate } from '../../src/contracts/dutyTask';
import { createDutyWorker } from '../../worker';
import { finishUpdate } from '../workflows/bare';
import { databaseDelta, type DatabaseFigures, type Target } from '../lib/target';
import { startCluster } from '../lib/cluster';
import { countyRoster, villages, writeRoster } from '../lib/roster';
import { eachParallel, syntheticTask } from '../lib/tasks';

export interface ThroughputOptions {
  tasks: number;
  /** Task lifecycles in flight at once. */
  parallel: number;
  timerMs: number;
  cache: number;
  target?: Target;
}

export interface ThroughputSide {
  tasksPerSec: number;
  seconds: number;
  p99LifecycleSec: number;
}

export interface ThroughputResult {
  tasks: number;
  engine: ThroughputSide;
  bare: ThroughputSide;
  ratio: number;
  /** PostgreSQL's own figures per side (cluster target). */
  database?: { engine?: DatabaseFigures; bare?: DatabaseFigures };
}

/** The outbox, plus a signal to the driver once a reminder is written, so it completes the task only after it. */
class ObservedOutbox implements NotificationChannel {
  readonly name = 'outbox' as const;
  constructor(
    private readonly inner: OutboxChannel,
    private readonly signal: Signal,
  ) {}
  async send(message: OutgoingMessage): Promise<ChannelResult> {
    const result = await this.inner.send(message);
    this.signal.fire(message.notificationId.slice(0, message.notificationId.lastIndexOf('/')));
    return result;
  }
}

/** "This workflow's activity ran", which may happen before the driver starts waiting for it. */
class Signal {
  private readonly fired = new Set<string>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  fire(id: string): void {
    this.fired.add(id);
    this.events.emit(id);
  }
  wait(id: string): Promise<void> {
    if (this.fired.has(id)) return Promise.resolve();
    return new Promise((resolve) => this.events.once(id, () => resolve()));
  }
}

async function drive(n: number, parallel: number, lifecycle: (i: number) => Promise<void>): Promise<ThroughputSide> {
  const durations: number[] = [];
  const began = Date.now();
  await eachParallel(
    Array.from({ length: n }, (_, i) => i),
    parallel,
    async (i) => {
      const t = Date.now();
      await lifecycle(i);
      durations.push(Date.now() - t);
    },
  );
  const seconds = (Date.now() - began) / 1000;
  durations.sort((a, b) => a - b);
  return { tasksPerSec: n / seconds, seconds, p99LifecycleSec: (durations[Math.floor(durations.length * 0.99)] ?? 0) / 1000 };
}

export async function runThroughput(bundles: { engine: string; bare: string }, keys: PayloadKeys, o: ThroughputOptions): Promise<ThroughputResult> {
  const cluster = await startCluster('throughput', { target: o.target });
  const connection = await NativeConnection.connect(cluster.connectionOptions);
  const namespace = cluster.server.namespace;
  try {
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), countyRoster());
    const vs = villages(tree);
    const reminded = new Signal();
    const dataConverter = dutyDataConverter(keys);
    const client = new Client({ connection: cluster.connection, namespace, dataConverter });

    // Engine: the real worker, encryption and send ledger included, writing reminders to an outbox folder.
    const engineWorker = await createDutyWorker({
      connection,
      client,
      namespace,
      // On the cluster the engine's stores (send ledger above all) are its PostgreSQL ones, as the cluster's workers run.
      settings: { ...settings(), taskQueue: 'tp-engine', dataDir: path.join(cluster.dir, 'data'), quietHours: false, maxCachedWorkflows: o.cache, databaseUrl: cluster.clientEnv.DUTY_DATABASE_URL },
      logger: pino({ level: 'warn' }),
      workflowBundle: { code: readFileSync(bundles.engine, 'utf8') },
      channels: { outbox: new ObservedOutbox(new OutboxChannel(path.join(cluster.dir, 'outbox')), reminded) },
      roster: () => tree,
      dataConverter,
    });
    const db0 = await cluster.database();
    const engine = await engineWorker.runUntil(() =>
      drive(o.tasks, o.parallel, async (i) => {
        const unit = vs[i % vs.length]?.id ?? '';
        const now = Date.now();
        const input = syntheticTask(tree, { dutyId: 'bench-throughput', period: `p${Math.floor(i / vs.length)}`, unitId: unit, reminders: [new Date(now + o.timerMs)], dueAt: new Date(now + 30 * 86_400_000) });
        const sent = reminded.wait(input.taskId);
        await startTask(client, 'tp-engine', input);
        const handle = client.workflow.getHandle(input.taskId);
        await sent;
        await handle.executeUpdate(completeTaskUpdate, { args: [{ by: input.assignee.personId }] });
        await handle.result();
      }),
    );

    const db1 = await cluster.database();
    // Bare: same process, same server, same cache, its own queue.
    const ran = new Signal();
    const bareWorker = await Worker.create({
      connection,
      namespace,
      taskQueue: 'tp-bare',
      workflowBundle: { code: readFileSync(bundles.bare, 'utf8') },
      activities: {
        async noop(workflowId: string) {
          ran.fire(workflowId);
        },
      },
      maxCachedWorkflows: o.cache,
    });
    const bareClient = new Client({ connection: cluster.connection, namespace });
    const bare = await bareWorker.runUntil(() =>
      drive(o.tasks, o.parallel, async (i) => {
        const workflowId = `bare-${i}`;
        const noopRan = ran.wait(workflowId);
        const handle = await bareClient.workflow.start('bareTask', { workflowId, taskQueue: 'tp-bare', args: [o.timerMs] });
        await noopRan;
        await handle.executeUpdate(finishUpdate);
        await handle.result();
      }),
    );
    const db2 = await cluster.database();
    const database = db0 ? { engine: databaseDelta(db0, db1), bare: databaseDelta(db1, db2) } : undefined;
    return { tasks: o.tasks, engine, bare, ratio: engine.tasksPerSec / bare.tasksPerSec, ...(database ? { database } : {}) };
  } finally {
    await connection.close();
    await cluster.stop();
  }
}
