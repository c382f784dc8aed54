import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { listTasks } from '../../src/tasks/query';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import { assessmentQuery } from '../../src/report/assessmentReport';
import { listTaskFigures } from '../../src/report/figures';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import pino from 'pino';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { createDevServerEnv } from '../support/temporalEnv';

/** A task that continued as new leaves its earlier run in visibility, closed, with the same search attributes. */
describe('a task that continued as new is one task', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    installRuntimeLogging(pino({ level: 'warn' }));
    env = await createDevServerEnv();
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'continues', workflowsPath: require.resolve('./support/continuesOnce') });
    running = worker.run();
    await env.client.workflow.start('dutyTask', { taskQueue: 'continues', workflowId: 'task:continued:2026-01:v-1', args: ['v-1'] });
    const both = `WorkflowId = 'task:continued:2026-01:v-1'`;
    for (;;) {
      const { count } = await env.client.workflow.count(both);
      if (count === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  test('listed, reported and assessed once; not counted among closed tasks', async () => {
    expect((await listTasks(env.client, { statuses: ['overdue'] })).map((t) => t.taskId)).toEqual(['task:continued:2026-01:v-1']);
    expect(await listTaskFigures(env.client, assessmentQuery(2026).build())).toHaveLength(1);
    const closed = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).closed().build();
    expect((await env.client.workflow.count(closed)).count).toBe(0);
    // Without the filter visibility has both runs: the test would pass for the wrong reason otherwise.
    expect((await env.client.workflow.count(`WorkflowType = '${TASK_WORKFLOW_TYPE}'`)).count).toBe(2);
  });
});
