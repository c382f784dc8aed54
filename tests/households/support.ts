import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { settings } from '../../src/config';
import { OrgTree } from '../../src/roster/orgTree';
import type { HouseholdRecord } from '../../src/shared/household';
import type { Duty } from '../../src/shared/types';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { keyIdOf } from '../../src/temporal/payloadKeys';
import { createDutyWorker } from '../../worker';
import { roster } from '../fixtures/org';
import { RecordingChannel } from '../support/recordingChannel';
import { loadWorkCalendar } from '../../src/sources/holidays';

/** A fixed test key; real deployments take theirs from DUTY_PAYLOAD_KEY or the data folder. */
export const TEST_KEY = Buffer.alloc(32, 7);

export function testConverter(key: Buffer = TEST_KEY): DataConverter {
  return dutyDataConverter({ current: { id: keyIdOf(key), key }, all: new Map([[keyIdOf(key), key]]), source: 'test' });
}

export const tree = new OrgTree(roster);
export const calendar = loadWorkCalendar();

/** The default catalog's triggered duties, assigned relative to the fixture roster's village. */
export async function catalogDuties(): Promise<Duty[]> {
  return (await loadCatalog('catalog/default')).duties;
}

export function bundle(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
}

let seq = 0;

export interface HouseholdWorker {
  client: Client;
  worker: Worker;
  channel: RecordingChannel;
  taskQueue: string;
}

/** A worker and a client sharing the encrypting converter, on a queue of the test's own. */
export async function householdWorker(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundle, duties: Duty[]): Promise<HouseholdWorker> {
  const taskQueue = `households-${++seq}-${Date.now()}`;
  const dataConverter = testConverter();
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
  const channel = new RecordingChannel();
  const worker = await createDutyWorker({
    connection: env.nativeConnection,
    client,
    namespace: env.namespace ?? 'default',
    settings: { ...settings(), taskQueue, dataDir: `/tmp/duty-households-test-${process.pid}` },
    logger: pino({ level: 'silent' }),
    workflowBundle,
    channels: { outbox: channel },
    roster: () => tree,
    calendar,
    clock: () => new Date(Context.current().info.currentAttemptScheduledTimestampMs),
    dataConverter,
    duties: async () => duties,
  });
  return { client, worker, channel, taskQueue };
}

export function record(overrides: Partial<HouseholdRecord> = {}): HouseholdRecord {
  return {
    householdId: 'H-0001',
    headName: '测试户主甲',
    idNumber: '430981199001011237',
    villageId: 'v-pine',
    monitoringType: '边缘易致贫户',
    riskTypes: ['因病'],
    identifiedOn: '2025-01-10',
    ...overrides,
  };
}

/** Polls without advancing the test server's clock. */
export async function until<T>(probe: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && accept(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(v)?.slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
