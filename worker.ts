import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from './activities';
import { type WorkCalendar } from './src/calendar';
import { type Settings, settings as loadSettings, smtpConfigFromEnv } from './src/config';
import { createLogger } from './src/log';
import type { NotificationChannel } from './src/notify/channel';
import { EmailChannel } from './src/notify/email';
import { DingTalkChannel } from './src/notify/dingtalk';
import { DigestSender } from './src/notify/digestSender';
import { BatchSender } from './src/notify/batchSender';
import { Notifier } from './src/notify/notifier';
import { OutboxChannel } from './src/notify/outbox';
import { paceChannels } from './src/notify/pacing';
import { WeComChannel } from './src/notify/wecom';
import { SendLedger } from './src/notify/sendLedger';
import { storeBackend } from './src/store/backend';
import type { OrgTree } from './src/roster/orgTree';
import { loadConnectionConfig, toConnectionOptions } from './src/temporal/connection';
import { installRuntimeLogging } from './src/temporal/runtimeLogging';
import type { ChannelName, Duty } from './src/shared/types';
import type { DataConverter } from '@temporalio/common';
import { CatalogSource } from './src/sources/catalogSource';
import { dutyDataConverter } from './src/temporal/payloadCodec';
import { loadWorkCalendar } from './src/sources/holidays';
import { activeSuspensions } from './src/store/emergencies';
import { deliveryLogOf, emergencyStoreOf } from './src/store/records';

/** A channel that cannot deliver twice may have this many sends in doubt at once: a herd's batch writes them side by side. */
const IDEMPOTENT_IN_DOUBT = 8;

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
  /** The payload codec's converter; by default keys come from DUTY_PAYLOAD_KEY or the data folder. */
  dataConverter?: DataConverter;
  /** The catalog's duties for event-triggered work; by default read from the catalog folder as it changes. */
  duties?: () => Promise<Duty[]>;
}

/**
 * Email when SMTP is configured, and always the outbox, which is the fallback for people without a usable channel.
 * The chat robots are always present; each reaches a person only when their unit's robot variables are set.
 */
export function defaultChannels(s: Settings): Partial<Record<ChannelName, NotificationChannel>> {
  const smtp = smtpConfigFromEnv();
  return { outbox: new OutboxChannel(s.outboxDir), wecom: new WeComChannel(), dingtalk: new DingTalkChannel(), ...(smtp ? { email: new EmailChannel(smtp) } : {}) };
}

export async function createDutyWorker(opts: DutyWorkerOptions): Promise<Worker> {
  const s = opts.settings;
  // Every channel goes through the durable send ledger: a send retried after this process died is not repeated (on
  // another worker too, when the ledger is in PostgreSQL).
  // Pacing waits outside it, so a robot's wait for its slot holds up no other robot.
  const backend = await storeBackend(s);
  const ledger = SendLedger.of(backend, opts.logger);
  const channels = paceChannels(Object.fromEntries(Object.entries(opts.channels ?? defaultChannels(s)).map(([name, c]) => [name, ledger.guard(c, c.idempotent ? IDEMPOTENT_IN_DOUBT : 1)])), s.pacing);
  const notifier = new Notifier(channels, 'outbox', opts.logger);
  const source = new CatalogSource(s.catalogDir, opts.logger);
  const emergencies = emergencyStoreOf(backend);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: s.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      calendar: opts.calendar ?? loadWorkCalendar(),
      roster: opts.roster ?? (() => source.tree()),
      client: opts.client,
      taskQueue: s.taskQueue,
      notifier,
      batchSender: new BatchSender(channels, 'outbox', opts.logger),
      deliveries: deliveryLogOf(backend),
      digestSender: new DigestSender(channels, 'outbox', opts.logger),
      quietHours: s.quietHours,
      clock: opts.clock,
      duties: opts.duties ?? (() => source.duties()),
      emergencies: async () => activeSuspensions(await emergencies.list(), new Date()),
    }),
    dataConverter: opts.dataConverter ?? dutyDataConverter(),
    maxCachedWorkflows: s.maxCachedWorkflows,
  });
}

async function main(): Promise<void> {
  const logger = createLogger('worker');
  installRuntimeLogging(logger);
  const config = loadConnectionConfig();
  const connection = await NativeConnection.connect(toConnectionOptions(config));
  const clientConnection = await Connection.connect(toConnectionOptions(config));
  // The activities' client writes task and programme inputs: it encrypts with the same converter as the worker.
  const dataConverter = dutyDataConverter();
  const client = new Client({ connection: clientConnection, namespace: config.namespace, dataConverter });
  const s = loadSettings();
  const worker = await createDutyWorker({ connection, client, namespace: config.namespace, settings: s, logger, dataConverter });
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
