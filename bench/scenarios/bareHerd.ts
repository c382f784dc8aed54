import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { OutboxChannel } from '../../src/notify/outbox';
import type { Target } from '../lib/target';
import { startCluster } from '../lib/cluster';
import { persistenceDelta, scrapePersistence, type PersistenceDelta } from '../lib/serverMetrics';
import { sleep, spread, until, type Spread } from '../lib/stats';
import { eachParallel } from '../lib/tasks';
import { outboxArrivals } from './herd';

export interface BareHerdResult {
  tasks: number;
  lateness: Spread;
  lost: number;
  persistence: PersistenceDelta;
  opsPerNotice: number;
}

/**
 * The herd's anchor: N workflows with no engine code, each one timer to the same instant and one send to the same
 * outbox, on a server and worker set up like the engine's. The engine herd's p99 is reported as a ratio to this.
 */
export async function runBareHerd(o: { bundle: string; tasks: number; leadSec: number; cache: number; drainTimeoutSec: number; log: (line: string) => void; target?: Target }): Promise<BareHerdResult> {
  const cluster = await startCluster('bare-herd', { target: o.target });
  const connection = await NativeConnection.connect(cluster.connectionOptions);
  try {
    const outboxDir = path.join(cluster.dir, 'outbox');
    const outbox = new OutboxChannel(outboxDir);
    const worker = await Worker.create({
      connection,
      namespace: cluster.server.namespace,
      taskQueue: 'bare-herd',
      workflowBundle: { code: readFileSync(o.bundle, 'utf8') },
      activities: {
        async sendBare(workflowId: string) {
          await outbox.send({ id: workflowId, notificationId: workflowId, personId: 'bench', to: { name: 'bench' }, subject: '压测', text: '压测' });
        },
      },
      maxCachedWorkflows: o.cache,
    });
    const client = new Client({ connection: cluster.connection, namespace: cluster.server.namespace });
    const plannedAt = Math.ceil((Date.now() + (o.leadSec || 20 + o.tasks * 0.012) * 1000) / 1000) * 1000;
    return await worker.runUntil(async () => {
      o.log(`bare herd: starting ${o.tasks} workflows, all sending at ${new Date(plannedAt).toISOString()}`);
      await eachParallel(
        Array.from({ length: o.tasks }, (_, i) => `bare-herd-${i}`),
        32,
        async (workflowId) => {
          await client.workflow.start('bareHerdTask', { workflowId, taskQueue: 'bare-herd', args: [plannedAt] });
        },
      );
      await sleep(Math.max(0, plannedAt - Date.now()));
      const metrics0 = await scrapePersistence(cluster.metricsUrls());
      const written = () => readdirSync(outboxDir).filter((n) => n.endsWith('.json')).length;
      await until(() => {
        try {
          return written() >= o.tasks;
        } catch {
          return false;
        }
      }, o.drainTimeoutSec * 1000, 500);
      const persistence = persistenceDelta(metrics0, await scrapePersistence(cluster.metricsUrls()));
      const lateness = [...outboxArrivals(outboxDir).values()].map((at) => at - plannedAt);
      return { tasks: o.tasks, lateness: spread(lateness), lost: o.tasks - lateness.length, persistence, opsPerNotice: lateness.length ? persistence.requests / lateness.length : Number.NaN };
    });
  } finally {
    await connection.close();
    await cluster.stop();
  }
}
