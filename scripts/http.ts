/**
 * The pages and API as a process of their own: `npm start` (scripts/start.ts) spawns this with `node --import tsx`
 * and an IPC channel, so a slow request can never hold up the worker's activities and the worker's work can never
 * hold up a sign-in. Temporal is reached through the same settings as everywhere else (TEMPORAL_ADDRESS /
 * TEMPORAL_NAMESPACE, which start.ts sets to the embedded dev server's, or the operator's profile).
 *
 * Messages to the parent: `{ type: 'ready', url, pid }` once listening, `{ type: 'failed', message }` before exiting 1.
 * It stops on SIGINT / SIGTERM (Ctrl-C reaches the whole process group) and when the parent goes away (the IPC
 * channel closes, even after a `kill -9` of the parent), so it never outlives `npm start`.
 * Run on its own (`npx tsx scripts/http.ts`) it serves against a Temporal that is already running.
 */
import type { Connection } from '@temporalio/client';
import { settings as loadSettings } from '../src/config';
import { createLogger } from '../src/log';
import { startHttpServer, type StartedHttpServer } from '../src/http/server';
import { auditLogOf } from '../src/audit/store';
import { storeBackend } from '../src/store/backend';
import { describeError } from '../src/services/describeError';
import { openTasksOf } from '../src/services/openTasks';
import { connectClient, loadConnectionConfig } from '../src/temporal/connection';

export type HttpChildMessage = { type: 'ready'; url: string; pid: number } | { type: 'failed'; message: string };

function tell(msg: HttpChildMessage): void {
  if (process.send) process.send(msg);
  else if (msg.type === 'ready') process.stdout.write(`督办网页与 API: ${msg.url}(pid ${msg.pid})\n`);
}

async function main(): Promise<void> {
  const log = createLogger('http');
  const running: { connection?: Connection; http?: StartedHttpServer; stopping?: Promise<void> } = {};
  // Registered first: a parent that dies while this is still starting is noticed too.
  const stop = (why: string) =>
    (running.stopping ??= (async () => {
      log.info({ why }, 'http stopping');
      await running.http?.close();
      await running.connection?.close().catch(() => undefined);
      process.exit(0);
    })());
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('disconnect', () => void stop('parent gone'));
  const s = loadSettings();
  const { connection, client } = await connectClient(loadConnectionConfig());
  running.connection = connection;
  const http = await startHttpServer({ settings: s, client, log });
  running.http = http;
  tell({ type: 'ready', url: http.url, pid: process.pid });
  // The dashboard's index of open tasks is listed now, not on the first visit (about 2 minutes at 100,000 tasks).
  openTasksOf(client, auditLogOf(await storeBackend(s)))
    .ready()
    .catch((err: unknown) => log.warn({ err }, 'open-task index not built; the dashboard counts until it is'));
}

main().catch((err: unknown) => {
  const { message } = describeError(err);
  if (!process.send || !process.connected) {
    process.stderr.write(`网页服务启动失败: ${message}\n`);
    process.exit(1);
  }
  process.send({ type: 'failed', message } satisfies HttpChildMessage, () => process.exit(1));
});
