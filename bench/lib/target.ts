import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import pg from 'pg';
import { REPO_ROOT } from '../../src/config';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { prepareNamespace } from '../../src/temporal/namespaceReady';

/** Where a scenario runs: a dev server of its own (SQLite), or a namespace of its own on the running cluster. */
export type Target = 'dev' | 'cluster';
export const TARGETS: readonly Target[] = ['dev', 'cluster'];

/** The env file `npm run cluster -- up` writes; the bench reads it as `duty` does after `set -a; . env`. */
export const CLUSTER_ROOT = path.join(REPO_ROOT, '.data', 'cluster');
export const CLUSTER_ENV_FILE = path.join(CLUSTER_ROOT, 'env');

export function readClusterEnv(file = CLUSTER_ENV_FILE): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`--target cluster 需要一个运行中的集群: 未找到 ${file},请先运行 npm run cluster -- up`);
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = unquote(m[2] as string);
  }
  return env;
}

function unquote(v: string): string {
  return v.startsWith("'") && v.endsWith("'") ? v.slice(1, -1).replaceAll("'\\''", "'") : v;
}

export interface ClusterNamespace {
  connectionOptions: ReturnType<typeof toConnectionOptions>;
  namespace: string;
  /** What a worker child process needs to reach it: the cluster's TLS variables and the namespace. */
  clientEnv: Record<string, string>;
  connection: Connection;
  /** Every service's Prometheus endpoint (frontend, history, matching, worker). */
  metricsUrls: string[];
  database: DatabaseCounters;
  drop(): Promise<void>;
}

/** A fresh namespace per scenario: no scenario sees another's workflows, and dropping it cleans up on the cluster. */
export async function clusterNamespace(label: string): Promise<ClusterNamespace> {
  const env = readClusterEnv();
  const options = toConnectionOptions(loadConnectionConfig({ env }));
  const connection = await Connection.connect(options);
  const namespace = `bench-${label}-${randomBytes(3).toString('hex')}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  await prepareNamespace(connection, namespace);
  const offset = Number(options.address.split(':').pop()) - 7233;
  return {
    connectionOptions: options,
    namespace,
    clientEnv: { ...engineSharedEnv(env), TEMPORAL_NAMESPACE: namespace },
    connection,
    // The cluster's layout: each service serves metrics on 9090–9093 plus the same offset as the frontend's 7233.
    metricsUrls: [0, 1, 2, 3].map((i) => `http://127.0.0.1:${9090 + i + offset}/metrics`),
    database: new DatabaseCounters(env.DUTY_DATABASE_URL),
    async drop() {
      await connection.operatorService.deleteNamespace({ namespace }).catch(() => undefined);
      await connection.close();
    },
  };
}

/**
 * What a bench worker takes from the cluster's env file: how to reach Temporal (TEMPORAL_*) and the engine's database,
 * whose stores (send ledger, deliveries) are part of what is measured. Not the payload key: the bench brings its own.
 */
function engineSharedEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('TEMPORAL_') || name === 'DUTY_DATABASE_URL'));
}

export interface DatabaseFigures {
  /** Rows inserted, updated and deleted in Temporal's two databases and the project's own. */
  rowsWritten: number;
  transactions: number;
  /** Time PostgreSQL spent executing statements in them (pg_stat_database.active_time). */
  activeSec: number;
}

const DATABASES = ['temporal', 'temporal_visibility', 'duty'];

/** PostgreSQL's own account of its work (cluster-wide statistics, readable from any database). */
export class DatabaseCounters {
  constructor(private readonly url: string | undefined) {}

  async read(): Promise<DatabaseFigures | undefined> {
    if (!this.url) return undefined;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      // Statistics are sent to the cumulative store when a backend goes idle; ask for a fresh snapshot.
      await client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await client.query<{ w: string; x: string; t: number }>(
        'SELECT sum(tup_inserted + tup_updated + tup_deleted) AS w, sum(xact_commit + xact_rollback) AS x, sum(active_time) AS t FROM pg_stat_database WHERE datname = ANY($1)',
        [DATABASES],
      );
      const r = rows[0];
      return { rowsWritten: Number(r?.w ?? 0), transactions: Number(r?.x ?? 0), activeSec: Number(r?.t ?? 0) / 1000 };
    } finally {
      await client.end();
    }
  }
}

export function databaseDelta(before: DatabaseFigures | undefined, after: DatabaseFigures | undefined): DatabaseFigures | undefined {
  if (!before || !after) return undefined;
  return { rowsWritten: after.rowsWritten - before.rowsWritten, transactions: after.transactions - before.transactions, activeSec: Math.round((after.activeSec - before.activeSec) * 10) / 10 };
}
