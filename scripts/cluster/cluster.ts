import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { prepareNamespace } from '../../src/temporal/namespaceReady';
import { UsageError } from '../../src/errors';
import { ensureCertificates } from './certs';
import { clusterClientEnv, clusterEngineEnv, CLUSTER_NAMESPACE, writeEnvFile } from './envFile';
import { probeService } from './health';
import { clusterLayout, type ClusterLayout, DEFAULT_PORT_OFFSET, SERVICES } from './layout';
import { downEngine, leaveEngineOff, upEngine } from './engine';
import { DUTY_DATABASE, ensureDutyDatabase } from './dutyDatabase';
import { ensureNamespace } from './namespace';
import { ensurePgBinaries, ensurePgInitialized, findPgBinaries, pgPassword, postgresAccepting, startPostgres, stopPostgres, type PgBinaries } from './postgres';
import { startService, stopService, waitForPort } from './processes';
import { ensureSchemas } from './schema';
import { describeServer, resolveServerBinaries, type ServerBinaries } from './serverBinary';
import { dynamicConfig, serverConfig } from './serverConfig';

export interface ClusterOptions {
  /** Everything lives here (`.data/cluster/` for `npm run cluster`). */
  root: string;
  portOffset?: number;
  /** Holds `.temporal/`, where the built server is cached. */
  projectRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** Settings for the workers, replicas and the catalog's apply only (tests: their catalog, SMTP sink, quiet hours). */
  engineEnv?: Record<string, string>;
  /** false (`up --no-engine`): no catalog applied, no engine process started; a cluster to migrate into. */
  engine?: boolean;
  log: (line: string) => void;
}

const SERVICE_START_TIMEOUT_MS = 90_000;
const POSTGRES_READY_TIMEOUT_MS = 30_000;

export function layoutOf(opts: ClusterOptions): ClusterLayout {
  return clusterLayout(opts.root, opts.portOffset ?? DEFAULT_PORT_OFFSET);
}

/** Brings every part up (or finds it up) and returns the env file's variables; safe to run again at any time. */
export async function clusterUp(opts: ClusterOptions): Promise<Record<string, string>> {
  const layout = layoutOf(opts);
  const { log } = opts;
  await fs.mkdir(layout.root, { recursive: true });
  if (opts.engine === false) await leaveEngineOff(layout);
  // The server build (minutes, first time only) and PostgreSQL's set-up do not depend on each other.
  const [bins, pg] = await Promise.all([
    resolveServerBinaries({ env: opts.env, projectRoot: opts.projectRoot, log }),
    upPostgres(layout, log),
  ]);
  log(describeServer(bins));
  await ensureCertificates(layout, log);
  const password = await pgPassword(layout);
  for (const s of await ensureSchemas(layout, pg, bins, password)) {
    log(`数据库 ${s.database}: ${s.created ? '已创建,' : ''}表结构版本 ${s.version}`);
  }
  await startServices(layout, bins, password, log);
  await upNamespace(clusterClientEnv(layout), log);
  await waitHealthy(layout, log);
  if (await ensureDutyDatabase(layout)) log(`已创建引擎数据库 ${DUTY_DATABASE}(角色 ${DUTY_DATABASE},密码在 ${layout.dutyPasswordFile})`);
  // The env file is what `duty` commands source: the engine's shared settings, and a data folder of their own.
  const env = { ...(await clusterEngineEnv(layout)), DUTY_DATA_DIR: layout.cliDataDir };
  await writeEnvFile(layout, env);
  if (opts.engine !== false) await upEngine(layout, { ...env, ...opts.engineEnv }, log);
  return env;
}

async function upPostgres(layout: ClusterLayout, log: (line: string) => void): Promise<PgBinaries> {
  const pg = await ensurePgBinaries(log);
  await ensurePgInitialized(layout, pg, log);
  const started = await startPostgres(layout, pg);
  const deadline = Date.now() + POSTGRES_READY_TIMEOUT_MS;
  while (!(await postgresAccepting(layout, pg))) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL 未在 ${POSTGRES_READY_TIMEOUT_MS / 1000} 秒内接受连接,见 ${layout.pgLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`PostgreSQL ${pg.version}: ${layout.host}:${layout.ports.postgres}(${started ? '已启动' : '已在运行'})`);
  return pg;
}

async function startServices(layout: ClusterLayout, bins: ServerBinaries, password: string, log: (line: string) => void): Promise<void> {
  for (const service of SERVICES) {
    await fs.mkdir(path.dirname(layout.configFile(service)), { recursive: true });
    // Holds the database password: readable by the owner only.
    await fs.writeFile(layout.configFile(service), serverConfig(layout, service, password), { mode: 0o600 });
  }
  await fs.writeFile(layout.dynamicConfigFile, dynamicConfig());
  // One at a time: the first process of a new cluster writes its metadata record, and two racing to do so fail.
  for (const service of SERVICES) {
    const { pid, started } = await startService(layout, bins.server, service);
    await waitForPort(layout, service, pid, SERVICE_START_TIMEOUT_MS);
    log(`Temporal ${service.padEnd(8)} 进程 ${pid},端口 ${layout.ports.grpc[service]}(${started ? '已启动' : '已在运行'})`);
  }
}

/** Connects exactly as a client sourcing the env file would, then makes the namespace usable. */
async function upNamespace(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const config = loadConnectionConfig({ env });
  const connection = await connectWithRetry(toConnectionOptions(config), SERVICE_START_TIMEOUT_MS);
  try {
    const created = await ensureNamespace(connection, CLUSTER_NAMESPACE);
    await prepareNamespace(connection, CLUSTER_NAMESPACE, { onWait: log });
    log(`命名空间 ${CLUSTER_NAMESPACE}: ${created ? '已创建' : '已存在'},可用`);
  } finally {
    await connection.close();
  }
}

/** The frontend listens before it can serve (it waits for history to own its shards); retry until it answers. */
async function connectWithRetry(options: ReturnType<typeof toConnectionOptions>, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await Connection.connect({ ...options, connectTimeout: 5_000 });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Each service's own health check: history reports SERVING only some seconds after it owns all its shards. */
async function waitHealthy(layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + SERVICE_START_TIMEOUT_MS;
  for (const service of SERVICES) {
    for (;;) {
      try {
        await probeService(layout, service);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new UsageError(`Temporal ${service} 服务未就绪: ${err instanceof Error ? err.message : String(err)},见 ${layout.logFile(service)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  log('四个 Temporal 服务的健康检查均为 SERVING');
}

/**
 * Stops the engine's processes (while the server can still take the workers' last results), then the services (frontend
 * first, so no client is served half a cluster), then PostgreSQL; keeps all data.
 */
export async function clusterDown(opts: ClusterOptions): Promise<void> {
  const layout = layoutOf(opts);
  await downEngine(layout, opts.log);
  for (const service of [...SERVICES].reverse()) {
    if (await stopService(layout, service)) opts.log(`已停止 Temporal ${service}`);
  }
  const pg = await findPgBinaries();
  if (pg && (await stopPostgres(layout, pg))) opts.log('已停止 PostgreSQL');
  opts.log(`数据保留在 ${layout.root}`);
}
