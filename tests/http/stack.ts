import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { planningActivities } from '../../activities/planning';
import { OPERATOR } from '../../src/auth/policy';
import { accountStore, type AccountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { settings, type Settings } from '../../src/config';
import { buildServer } from '../../src/http/server';
import type { NotificationChannel } from '../../src/notify/channel';
import { OutboxChannel } from '../../src/notify/outbox';
import type { ChannelName } from '../../src/shared/types';
import type { OrgTree } from '../../src/roster/orgTree';
import { cliActor } from '../../src/services/context';
import { applyCatalog } from '../../src/services/duties';
import { ServerContext } from '../../src/services/serverContext';
import { findTasks } from '../../src/services/tasks';
import { startTask } from '../../src/tasks/start';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { loadPayloadKeys } from '../../src/temporal/payloadKeys';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createDutyWorker } from '../../worker';
import { eventually } from '../support/cli';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { activeSuspensions, FileEmergencyStore } from '../../src/store/emergencies';

export const PASSWORD = 'test-password-1';

/** A real dev server, a real worker, and the HTTP server listening on a loopback port; state in a temp dir. */
export interface Stack {
  baseUrl: string;
  app: FastifyInstance;
  client: Client;
  services: ServerContext;
  settings: Settings;
  tree: OrgTree;
  accounts: AccountStore;
  /** Opens one period of a duty exactly as its cycle workflow would: the planning activity, then startTask. */
  openPeriod(dutyId: string, period: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StackOptions {
  loginRateMax?: number;
  people?: string[];
  catalogDir?: string;
  /** Besides the outbox, e.g. mail to a loopback SMTP sink. */
  channels?: Partial<Record<ChannelName, NotificationChannel>>;
  /** A fixed port, for links in notices (DUTY_PUBLIC_URL) that must point at this server. */
  port?: number;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  installRuntimeLogging(pino({ level: 'warn' }));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-http-'));
  const taskQueue = `http-${process.pid}-${Date.now()}`;
  const s: Settings = { ...settings(), dataDir: tmp, outboxDir: path.join(tmp, 'outbox'), taskQueue, quietHours: false, ...(opts.catalogDir ? { catalogDir: opts.catalogDir } : {}) };
  const server: DevServer = await startDevServer({ headless: true });
  const connection = await Connection.connect({ address: server.address });
  // Client and worker share one converter, with the keys of this run's own data directory (none: plain payloads).
  const dataConverter = dutyDataConverter(loadPayloadKeys({}, tmp));
  const client = new Client({ connection, namespace: server.namespace, dataConverter });
  const native = await NativeConnection.connect({ address: server.address });
  const log = pino({ level: 'silent' });
  const worker: Worker = await createDutyWorker({
    connection: native,
    client,
    namespace: server.namespace,
    settings: s,
    logger: log,
    dataConverter,
    channels: { outbox: new OutboxChannel(s.outboxDir), ...opts.channels },
  });
  const running = worker.run();
  const services = new ServerContext(s, client, log);
  const tree = await services.tree();
  // Tests open the periods they need; the periods under way would otherwise add tasks to every listing.
  await applyCatalog(services, cliActor(), undefined, false, undefined, { openUnderWay: false });
  const accounts = accountStore({ kind: 'files', dataDir: tmp }, 4);
  for (const id of opts.people ?? []) await accounts.setPassword(id, PASSWORD);
  const app = await buildServer({
    services,
    accounts,
    sessions: sessionStore({ kind: 'files', dataDir: tmp }),
    log,
    options: { secureCookies: false, loginRateLimit: { max: opts.loginRateMax ?? 100, timeWindowMs: 60_000 } },
  });
  await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // As the worker plans: emergencies in force reach tasks that open under them.
  const planner = planningActivities({ calendar: loadWorkCalendar(), roster: () => tree, emergencies: async () => activeSuspensions(await new FileEmergencyStore(tmp).list(), new Date()) });

  return {
    baseUrl,
    app,
    client,
    services,
    settings: s,
    tree,
    accounts,
    async openPeriod(dutyId, period) {
      const duty = await services.duty(dutyId);
      const plan = await planner.planCycle({ duty, period, at: new Date().toISOString() });
      await Promise.all(plan.tasks.map((t) => startTask(client, taskQueue, t)));
      const ids = plan.tasks.map((t) => t.taskId);
      await eventually(
        () => findTasks(services, OPERATOR, { dutyId, period }),
        (found) => ids.every((id) => found.some((t) => t.taskId === id)),
      );
      return ids;
    },
    async stop() {
      await app.close();
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await server.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Signs in through the API and returns the session cookie. */
export async function login(baseUrl: string, personId: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId, password }) });
  if (res.status !== 200) throw new Error(`login ${personId}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}
