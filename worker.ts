import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from './activities';
import { WorkCalendar } from './src/calendar';
import { settings as loadSettings, type Settings } from './src/config';
import { createLogger } from './src/log';
import type { NotificationChannel } from './src/notify/channel';
import { EmailChannel, smtpConfigFromEnv } from './src/notify/email';
import { Notifier } from './src/notify/notifier';
import { OutboxChannel } from './src/notify/outbox';
import type { OrgTree } from './src/roster/orgTree';
import { rosterSource } from './src/roster/source';
import { loadConnectionConfig, toConnectionOptions } from './src/temporal/connection';
import { installRuntimeLogging } from './src/temporal/runtimeLogging';
import type { ChannelName } from './src/shared/types';

export interface DutyWorkerOptions {
  connection: NativeConnection;
  client: Client;
  namespace: string;
  settings: Settings;
  logger: Logger;
  /** Tests bundle once per suite and pass it in; otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundle;
  channels?: Partial<Record<ChannelName, NotificationChannel>>;
  roster?: () => OrgTree;
  calendar?: WorkCalendar;
  clock?: () => Date;
}

/** Email when SMTP is configured, and always the outbox, which is the fallback for people without a usable channel. */
export function defaultChannels(s: Settings): Partial<Record<ChannelName, NotificationChannel>> {
  const smtp = smtpConfigFromEnv();
  return { outbox: new OutboxChannel(s.outboxDir), ...(smtp ? { email: new EmailChannel(smtp) } : {}) };
}

export async function createDutyWorker(opts: DutyWorkerOptions): Promise<Worker> {
  const s = opts.settings;
  const channels = opts.channels ?? defaultChannels(s);
  const notifier = new Notifier(channels, 'outbox', opts.logger);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: s.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      calendar: opts.calendar ?? WorkCalendar.load(),
      roster: opts.roster ?? rosterSource(s.catalogDir),
      client: opts.client,
      taskQueue: s.taskQueue,
      notifier,
      quietHours: s.quietHours,
      clock: opts.clock,
    }),
    maxCachedWorkflows: s.maxCachedWorkflows,
  });
}

async function main(): Promise<void> {
  const logger = createLogger('worker');
  installRuntimeLogging(logger);
  const config = loadConnectionConfig();
  const connection = await NativeConnection.connect(toConnectionOptions(config));
  const clientConnection = await Connection.connect(toConnectionOptions(config));
  const client = new Client({ connection: clientConnection, namespace: config.namespace });
  const s = loadSettings();
  const worker = await createDutyWorker({ connection, client, namespace: config.namespace, settings: s, logger });
  logger.info({ taskQueue: s.taskQueue, namespace: config.namespace }, 'worker started');
  await worker.run();
  await clientConnection.close();
  await connection.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
