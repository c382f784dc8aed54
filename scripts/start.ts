import path from 'node:path';
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
import { ensureSearchAttributes } from '../src/temporal/searchAttributes';
import { dutyDataConverter } from '../src/temporal/payloadCodec';
import { prepareStartKeys } from '../src/temporal/payloadKeys';
import { createDutyWorker } from '../worker';
import { startHttpServer } from '../src/http/server';
import { applyCatalog } from '../src/services/duties';
import { ServerContext } from '../src/services/serverContext';
import type { Actor } from '../src/audit/log';

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
    await ensureSearchAttributes(clientConnection, config.namespace);
    const dataConverter = dutyDataConverter();
    const client = new Client({ connection: clientConnection, namespace: config.namespace, dataConverter });
    // Exactly what `duty apply` does, audited the same way; the actor names start-up, as before.
    const { changes } = await applyCatalog(new ServerContext(s, client, log), START_ACTOR, undefined, false);
    const count = (k: string) => changes.filter((c) => c.kind === k).length;
    log.info({ created: count('create'), updated: count('update'), deleted: count('delete'), unchanged: count('unchanged') }, 'catalog applied');

    const worker = await createDutyWorker({ connection, client, namespace: config.namespace, settings: s, logger: log, dataConverter });
    const http = await startHttpServer({ settings: s, client, log });
    const running = worker.run();
    const stop = () => {
      log.info('stopping');
      worker.shutdown();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    printReady({ address: options.address, namespace: config.namespace, uiUrl: server?.uiUrl, webUrl: http.url, outbox: smtpConfigFromEnv() ? undefined : s.outboxDir, catalogDir: s.catalogDir, seconds: (Date.now() - ctx.started) / 1000 });
    await running;
    await http.close();
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

function printReady(info: { address: string; namespace: string; uiUrl?: string; webUrl: string; outbox?: string; catalogDir: string; seconds: number }): void {
  const lines = [
    '',
    `职责提醒系统已就绪(用时 ${info.seconds.toFixed(1)} 秒)  ready`,
    `  Temporal 服务:   ${info.address}`,
    ...(info.uiUrl ? [`  Web 界面:        ${info.uiUrl}/namespaces/${info.namespace}/schedules`] : []),
    `  督办网页与 API:  ${info.webUrl}(API 文档 ${info.webUrl}/openapi.json;首次使用: npm run duty -- user create-admin p-admin)`,
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
