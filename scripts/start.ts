import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { loadCatalog } from '../src/sources/catalogFiles';
import { describeError } from '../src/services/describeError';
import { processEnv, type Settings, settings as loadSettings, smtpConfigFromEnv } from '../src/config';
import { createLogger } from '../src/log';
import { describeBinary, resolveTemporalCli } from '../tools/binaries';
import { loadConnectionConfig, toConnectionOptions, type ConnectionConfig } from '../src/temporal/connection';
import { startDevServer, type DevServer } from '../tools/devServer';
import { installRuntimeLogging } from '../src/temporal/runtimeLogging';
import { prepareNamespace } from '../src/temporal/namespaceReady';
import { dutyDataConverter } from '../src/temporal/payloadCodec';
import { prepareStartKeys } from '../src/temporal/payloadKeys';
import { createDutyWorker } from '../worker';
import { UsageError } from '../src/errors';
import { applyCatalog } from '../src/services/duties';
import { ServerContext } from '../src/services/serverContext';
import type { Actor } from '../src/audit/log';
import type { HttpChildMessage } from './http';
import { watchHolidays, watchRoster } from './watchers';
import { replanProvisional } from '../src/services/calendarReplan';
import { loadWorkCalendar } from '../src/sources/holidays';

const START_ACTOR: Actor = { id: 'npm-start', via: 'cli' };

/**
 * `npm start`: the embedded default. Starts a dev server persisting under .data/ (unless TEMPORAL_ADDRESS or a
 * profile points at a cluster), registers search attributes, applies the catalog, runs the worker until Ctrl-C.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const log = createLogger('start');
  installRuntimeLogging(log);
  const s = loadSettings();
  // Validate first: a bad catalog must stop start-up before anything is started or changed.
  await loadCatalog(s.catalogDir);
  const config = loadConnectionConfig();
  process.stdout.write(`${prepareStartKeys(processEnv(), s.dataDir, !config.explicit)}\n`);
  const server = config.explicit ? undefined : await startEmbeddedServer(s, config, log);
  try {
    await runEngine({ s, config, server, log, started });
  } finally {
    await server?.stop();
  }
  log.info('stopped');
}

async function startEmbeddedServer(s: Settings, config: ConnectionConfig, log: Logger): Promise<DevServer> {
  process.stdout.write(`${describeBinary('cli', await resolveTemporalCli({ log: (line) => log.info(line) }))}\n`);
  return startDevServer({
    dbFile: path.join(s.dataDir, 'temporal.db'),
    port: s.devServer.port,
    uiPort: s.devServer.uiPort,
    namespace: config.namespace,
    log: (line) => log.debug(line),
  });
}

async function runEngine(ctx: { s: Settings; config: ConnectionConfig; server?: DevServer; log: Logger; started: number }): Promise<void> {
  const { s, config, server, log } = ctx;
  const options = server ? { address: server.address } : toConnectionOptions(config);
  const clientConnection = await Connection.connect(options);
  const connection = await NativeConnection.connect(options);
  try {
    // A cluster's namespace (or a search attribute just registered) can take seconds to be usable everywhere.
    await prepareNamespace(clientConnection, config.namespace, { onWait: (line) => process.stdout.write(`${line}\n`) });
    const dataConverter = dutyDataConverter();
    const client = new Client({ connection: clientConnection, namespace: config.namespace, dataConverter });
    // Exactly what `duty apply` does, audited the same way; the actor names start-up, as before.
    const services = new ServerContext(s, client, log);
    const { changes } = await applyCatalog(services, START_ACTOR, undefined, false);
    // Holiday data may have arrived while the engine was stopped (a new file, an upgraded package).
    const replanned = await replanProvisional(services, START_ACTOR);
    const calendar = loadWorkCalendar();
    const count = (k: string) => changes.filter((c) => c.kind === k).length;
    log.info({ created: count('create'), updated: count('update'), deleted: count('delete'), unchanged: count('unchanged'), replanned: replanned.moved.length + replanned.confirmed.length }, 'catalog applied');

    // The pages and API start in their own process while the worker bundles its workflows; ready waits for both.
    const http = spawnHttpServer(server ? { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: config.namespace } : {});
    let worker: Awaited<ReturnType<typeof createDutyWorker>>;
    let webUrl: string;
    try {
      [worker, webUrl] = await Promise.all([createDutyWorker({ connection, client, namespace: config.namespace, settings: s, logger: log, dataConverter, calendar }), http.ready]);
    } catch (err) {
      await http.stop();
      throw err;
    }
    const running = worker.run();
    const unwatch = [watchRoster(services, log), watchHolidays(services, calendar, log)];
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      log.info('stopping');
      for (const stopWatching of unwatch) stopWatching();
      worker.shutdown();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A web process that dies on its own takes the engine down with it, as a crash of the one process used to.
    // (Exit code 0: it was told to stop, e.g. Ctrl-C reached it first; the engine stops quietly too.)
    void http.exited.then((code) => {
      if (stopping) return;
      if (code !== 0) {
        log.error({ code }, 'HTTP server process exited; stopping');
        process.exitCode = 1;
      }
      stop();
    });
    printReady({ address: options.address, namespace: config.namespace, uiUrl: server?.uiUrl, webUrl, pids: { worker: process.pid, http: http.pid }, outbox: smtpConfigFromEnv() ? undefined : s.outboxDir, catalogDir: s.catalogDir, seconds: (Date.now() - ctx.started) / 1000 });
    try {
      await running;
    } finally {
      await http.stop();
    }
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

interface HttpProcess {
  pid: number;
  /** The URL people open, once the child listens; rejects with the child's own words if it cannot start. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the child is gone. */
  stop(): Promise<void>;
}

const HTTP_SCRIPT = path.join(__dirname, 'http.ts');

/**
 * The HTTP server runs in a child process (scripts/http.ts), not beside the worker: a request that costs CPU (a
 * preview, an Excel export) would otherwise hold up the worker's activities and timers, and the worker's work every
 * sign-in. A child process rather than a worker thread: the two share nothing in memory (sessions, audit trail and
 * accounts are files under the data folder), a crash or a memory leak stays on its side, and the operating system
 * shows each one's CPU and memory. It runs plain node with tsx as a loader (no tsx CLI wrapper that could outlive a
 * kill), inherits stdout and stderr, and leaves when this process does: Ctrl-C reaches both, `stop()` sends SIGTERM,
 * and the child exits by itself when the IPC channel closes (even after a `kill -9` of this process).
 */
function spawnHttpServer(env: Record<string, string>): HttpProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, HTTP_SCRIPT], {
    env: { ...processEnv(), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.on('message', (msg: HttpChildMessage) => {
      if (msg.type === 'ready') resolve(msg.url);
      if (msg.type === 'failed') reject(new UsageError(msg.message));
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`网页服务进程启动前退出(退出码 ${code})`)));
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function printReady(info: { address: string; namespace: string; uiUrl?: string; webUrl: string; pids: { worker: number; http: number }; outbox?: string; catalogDir: string; seconds: number }): void {
  const lines = [
    '',
    `职责提醒系统已就绪(用时 ${info.seconds.toFixed(1)} 秒)  ready`,
    `  Temporal 服务:   ${info.address}`,
    ...(info.uiUrl ? [`  Web 界面:        ${info.uiUrl}/namespaces/${info.namespace}/schedules`] : []),
    `  督办网页与 API:  ${info.webUrl}(API 文档 ${info.webUrl}/openapi.json;首次使用: npm run duty -- user create-admin p-admin)`,
    `  进程:            worker ${info.pids.worker},网页与 API ${info.pids.http}(各自一个进程)`,
    `  职责目录:        ${info.catalogDir}`,
    info.outbox ? `  通知发件箱:      ${info.outbox}(未配置 SMTP,每条通知一个文件)` : '  通知:            通过 SMTP 邮件发送',
    '',
    '  试试:',
    '    npm run duty -- status',
    '    npm run duty -- preview monthly-data-import --from 2026-01-01 --to 2026-12-31',
    '    npm run duty -- trigger monthly-data-import',
    '    npm run duty -- task list --status open',
    '    npm run duty -- report overdue',
    '',
    '  按 Ctrl-C 停止。',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  process.stderr.write(`启动失败: ${describeError(err).message}\n`);
  process.exit(1);
});
