import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../tools/devServer';

/** A dev server on a SQLite file in its own temp folder, plus a client: what every scenario starts from. */
export interface Cluster {
  dir: string;
  dbFile: string;
  server: DevServer;
  client: Client;
  connection: Connection;
  /** The dev server's Prometheus endpoint, read from its start-up banner. */
  metricsUrl(): string | undefined;
  /** Stops the server and starts it again on the same file and port, as an operator restart would. */
  restart(downMs?: number): Promise<void>;
  dbBytes(): number;
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

export async function startCluster(label: string, opts: { dir?: string } = {}): Promise<Cluster> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), `duty-${label}-`));
  const dbFile = path.join(dir, 'temporal.db');
  let metricsUrl: string | undefined;
  const log = (line: string) => {
    metricsUrl = /Temporal Metrics:\s+(\S+)/.exec(line)?.[1] ?? metricsUrl;
  };
  let server = await startDevServer({ headless: true, dbFile, log });
  const port = Number(server.address.split(':').pop());
  // A lazy connection reconnects by itself after a server restart; the scenario's client survives it.
  const connection = Connection.lazy({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const cluster: Cluster = {
    dir,
    dbFile,
    get server() {
      return server;
    },
    client,
    connection,
    metricsUrl: () => metricsUrl,
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
  return cluster;
}
