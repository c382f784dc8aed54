import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../tools/devServer';
import type { toConnectionOptions } from '../../src/temporal/connection';
import { findPids } from './proc';
import { CLUSTER_ROOT, clusterNamespace, type DatabaseFigures, type Target } from './target';

/**
 * What every scenario starts from: a Temporal to run on, a client and a temp folder. On the `dev` target a dev server on
 * a SQLite file of its own; on `cluster` a namespace of its own on the running production-shaped cluster.
 */
export interface Cluster {
  target: Target;
  dir: string;
  /** The dev server's SQLite file (dev target only). */
  dbFile?: string;
  server: { address: string; namespace: string };
  client: Client;
  connection: Connection;
  /** Options for `NativeConnection.connect` (TLS on the cluster). */
  connectionOptions: ReturnType<typeof toConnectionOptions>;
  /** Variables a worker child process needs besides the address (the cluster's TLS files and namespace). */
  clientEnv: Record<string, string>;
  /** The Temporal server's processes (one dev server, or the cluster's four services), for their CPU time. */
  serverPids(): number[];
  /** The server's Prometheus endpoints (the dev server's one, or each of the cluster's four services). */
  metricsUrls(): string[];
  /** PostgreSQL's statistics (cluster target only). */
  database(): Promise<DatabaseFigures | undefined>;
  /** Stops the server and starts it again on the same file and port, as an operator restart would (dev target only). */
  restart(downMs?: number): Promise<void>;
  dbBytes(): number;
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

export async function startCluster(label: string, opts: { dir?: string; target?: Target } = {}): Promise<Cluster> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), `duty-${label}-`));
  return opts.target === 'cluster' ? onCluster(label, dir) : onDevServer(dir);
}

async function onDevServer(dir: string): Promise<Cluster> {
  const dbFile = path.join(dir, 'temporal.db');
  let metricsUrl: string | undefined;
  const log = (line: string) => {
    metricsUrl = /Temporal Metrics:\s+(\S+)/.exec(line)?.[1] ?? metricsUrl;
  };
  let server: DevServer = await startDevServer({ headless: true, dbFile, log });
  const port = Number(server.address.split(':').pop());
  // A lazy connection reconnects by itself after a server restart; the scenario's client survives it.
  const connection = Connection.lazy({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  return {
    target: 'dev',
    dir,
    dbFile,
    get server() {
      return server;
    },
    client,
    connection,
    connectionOptions: { address: server.address },
    clientEnv: {},
    serverPids: () => findPids(dbFile),
    metricsUrls: () => (metricsUrl ? [metricsUrl] : []),
    database: () => Promise.resolve(undefined),
    async restart(downMs = 0) {
      await server.stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      server = await startDevServer({ headless: true, dbFile, port, log });
    },
    dbBytes: () => ['', '-wal', '-shm'].reduce((sum, s) => sum + (statSync(dbFile + s, { throwIfNoEntry: false })?.size ?? 0), 0),
    async stop({ keepDir = false } = {}) {
      await connection.close();
      await server.stop();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function onCluster(label: string, dir: string): Promise<Cluster> {
  const ns = await clusterNamespace(label);
  const client = new Client({ connection: ns.connection, namespace: ns.namespace });
  return {
    target: 'cluster',
    dir,
    server: { address: ns.connectionOptions.address, namespace: ns.namespace },
    client,
    connection: ns.connection,
    connectionOptions: ns.connectionOptions,
    clientEnv: ns.clientEnv,
    // The services `npm run cluster` started: their command lines name their config files under .data/cluster.
    serverPids: () => findPids('--config-file', CLUSTER_ROOT),
    metricsUrls: () => ns.metricsUrls,
    database: () => ns.database.read(),
    restart: () => Promise.reject(new Error('restart: only the dev target; the cluster has its own fault tests (tests/cluster)')),
    dbBytes: () => 0,
    async stop({ keepDir = false } = {}) {
      await ns.drop();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
