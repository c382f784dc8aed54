import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { planningActivities } from '../../activities/planning';
import type { WorkCalendar } from '../../src/calendar';
import { settings } from '../../src/config';
import { type TaskInput, type TaskState, taskStateQuery } from '../../src/contracts/dutyTask';
import { OrgTree } from '../../src/roster/orgTree';
import type { Duty } from '../../src/shared/types';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { startTask } from '../../src/tasks/start';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createDutyWorker } from '../../worker';
import { roster, villageReport } from '../fixtures/org';
import { RecordingChannel } from './recordingChannel';
import { createTimeSkippingEnv } from './temporalEnv';

export interface TaskHarness {
  env(): TestWorkflowEnvironment;
  tree: OrgTree;
  calendar: WorkCalendar;
  /** One task of `duty` for `period`, planned exactly as a cycle would, on its own queue and worker. */
  withTask(period: string, body: (input: TaskInput, channel: RecordingChannel) => Promise<void>, duty?: Duty): Promise<void>;
  state(taskId: string): Promise<TaskState>;
}

/**
 * Time-skipping harness for one `dutyTask` at a time. A fresh server per test: its clock is global, and one test's
 * skipped time must not age another's tasks.
 */
export function useTaskHarness(calendar: WorkCalendar = loadWorkCalendar()): TaskHarness {
  const tree = new OrgTree(roster);
  const logger = pino({ level: 'silent' });
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundle;
  let queueSeq = 0;

  beforeAll(async () => {
    installRuntimeLogging(pino({ level: 'error' }));
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  });
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  });
  afterEach(async () => {
    await env?.teardown();
  });

  const current = (): TestWorkflowEnvironment => {
    if (!env) throw new Error('no test environment');
    return env;
  };

  return {
    env: current,
    tree,
    calendar,
    async withTask(period, body, duty = villageReport) {
      const e = current();
      const taskQueue = `task-test-${++queueSeq}-${Date.now()}`;
      const channel = new RecordingChannel();
      const worker: Worker = await createDutyWorker({
        connection: e.nativeConnection,
        client: e.client,
        namespace: e.namespace ?? 'default',
        settings: { ...settings(), taskQueue },
        logger,
        workflowBundle: bundle,
        channels: { outbox: channel },
        roster: () => tree,
        calendar,
        // Quiet hours are judged on the test server's skipped clock, which schedules each activity attempt.
        clock: () => new Date(Context.current().info.currentAttemptScheduledTimestampMs),
      });
      const plan = await planningActivities({ calendar, roster: () => tree }).planCycle({ duty, period, at: new Date().toISOString() });
      const input = plan.tasks[0];
      if (!input) throw new Error('no task planned');
      const own = { ...input, taskId: `${input.taskId}:${taskQueue}` };
      await worker.runUntil(async () => {
        await startTask(e.client, taskQueue, own);
        await body(own, channel);
      });
    },
    state: (taskId) => current().client.workflow.getHandle(taskId).query(taskStateQuery),
  };
}

/** Step notices leave beside the update that caused them: wait until `count` of `kind` are recorded on the task. */
export async function noticeRecorded(h: TaskHarness, taskId: string, kind: string, count = 1): Promise<TaskState> {
  for (let tries = 0; ; tries++) {
    const s = await h.state(taskId);
    if (s.deliveries.filter((d) => d.kind === kind).length >= count || tries >= 50) return s;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function deliveredTo(s: TaskState, kind: string): string[] {
  return s.deliveries.filter((d) => d.kind === kind).map((d) => `${d.personId}@${d.plannedAt}`);
}

/** The application failure a refused update carries. */
export async function refusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}
