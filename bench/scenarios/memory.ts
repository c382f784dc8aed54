import path from 'node:path';
import { startCluster } from '../lib/cluster';
import { countyRoster, writeRoster } from '../lib/roster';
import { sleep, until } from '../lib/stats';
import { startAll } from '../lib/tasks';
import { spawnWorker } from '../lib/workerProcess';
import { engineClient, herdInputs, workerEnv, type HerdContext } from './herd';

export interface MemoryOptions {
  /** Open task counts to measure at, ascending. */
  sizes: number[];
  /** maxCachedWorkflows values to compare. */
  caches: number[];
}

export interface MemoryRow {
  cache: number;
  openTasks: number;
  cached: number;
  rssMb: number;
  heapUsedMb: number;
  peakRssMb: number;
  startSec: number;
}

const MB = 1024 * 1024;

/**
 * Worker memory with N sleeping tasks (each waiting for a reminder a month away). A sleeping task needs no cache
 * slot, but every task passes through the cache when it opens, so the cache fills to min(N, cache) and stays there:
 * RSS is governed by the cache size, not by the number of open tasks.
 */
export async function runMemory(ctx: HerdContext, o: MemoryOptions): Promise<MemoryRow[]> {
  const cluster = await startCluster('memory');
  const rows: MemoryRow[] = [];
  try {
    const tree = writeRoster(path.join(cluster.dir, 'catalog'), countyRoster());
    const client = engineClient(cluster, ctx.keys);
    for (const cache of o.caches) {
      const queue = `memory-${cache}`;
      const env = workerEnv({ address: cluster.server.address, bundle: ctx.bundle, taskQueue: queue, dir: cluster.dir, cache, keys: ctx.keys });
      const worker = spawnWorker(env, path.join(cluster.dir, `worker-${cache}.log`));
      try {
        await worker.ready;
        const idle = await worker.measure(true);
        rows.push({ cache, openTasks: 0, cached: idle.cached, rssMb: Math.round(idle.rss / MB), heapUsedMb: Math.round(idle.heapUsed / MB), peakRssMb: Math.round(worker.peakRss() / MB), startSec: 0 });
        let open = 0;
        const far = new Date(Date.now() + 30 * 86_400_000);
        for (const size of o.sizes) {
          const inputs = herdInputs(tree, size - open, far, `m${cache}-${open}`);
          const ms = await startAll(client, queue, inputs, 64);
          open = size;
          // Settled: every started task has had its first workflow task and the cache stopped moving.
          let last = -1;
          await until(async () => {
            const s = await worker.measure();
            const settled = s.cached === last && s.inFlightActivities === 0;
            last = s.cached;
            return settled;
          }, 120_000, 2000);
          await sleep(1000);
          const s = await worker.measure(true);
          rows.push({ cache, openTasks: size, cached: s.cached, rssMb: Math.round(s.rss / MB), heapUsedMb: Math.round(s.heapUsed / MB), peakRssMb: Math.round(worker.peakRss() / MB), startSec: ms / 1000 });
          ctx.log(`memory: cache ${cache}, ${size} open: RSS ${Math.round(s.rss / MB)} MB, ${s.cached} cached`);
        }
      } finally {
        await worker.stop();
      }
    }
    return rows;
  } finally {
    await cluster.stop();
  }
}
