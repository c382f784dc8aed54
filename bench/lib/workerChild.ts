/**
 * A worker process for the bench and the fault harness: the engine's own createDutyWorker, configured from the
 * environment like `npm run worker`, loading a pre-built workflow bundle (BENCH_BUNDLE) so a restart after
 * `kill -9` is quick. It reports its memory and cache over IPC, which is what the memory scenario reads.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { settings } from '../../src/config';
import { createLogger } from '../../src/log';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { createDutyWorker } from '../../worker';

export interface ChildStats {
  type: 'stats';
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cached: number;
  inFlightActivities: number;
}

async function main(): Promise<void> {
  const codePath = process.env.BENCH_BUNDLE ?? '';
  const logger = createLogger('worker');
  installRuntimeLogging(logger);
  // As `npm run worker` connects: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and, on the cluster, TEMPORAL_TLS_*.
  const config = loadConnectionConfig();
  const connection = await NativeConnection.connect(toConnectionOptions(config));
  const clientConnection = Connection.lazy(toConnectionOptions(config));
  const { namespace } = config;
  const client = new Client({ connection: clientConnection, namespace });
  const worker = await createDutyWorker({ connection, client, namespace, settings: settings(), logger, workflowBundle: { code: readFileSync(codePath, 'utf8') } });
  const report = () => {
    const m = process.memoryUsage();
    const s = worker.getStatus();
    const stats: ChildStats = {
      type: 'stats',
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      cached: s.numCachedWorkflows,
      inFlightActivities: s.numInFlightActivities,
    };
    process.send?.(stats);
  };
  const timer = setInterval(report, 1000);
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'gc') global.gc?.();
    if (msg.type === 'report') report();
    if (msg.type === 'shutdown') worker.shutdown();
  });
  process.send?.({ type: 'ready' });
  await worker.run();
  clearInterval(timer);
  await clientConnection.close();
  await connection.close();
  process.disconnect?.();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
