import type { SearchAttributePair } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import pino from 'pino';
import { OPERATOR } from '../../src/auth/policy';
import { settings } from '../../src/config';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { overdueReport } from '../../src/report/overdue';
import { OrgTree } from '../../src/roster/orgTree';
import type { ServiceContext } from '../../src/services/context';
import { dashboardFor } from '../../src/services/dashboard';
import { SA, type TaskFlag, type TaskStatus } from '../../src/shared/searchAttributes';
import { listTasks } from '../../src/tasks/query';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { ZONE } from '../../src/shared/zone';
import { roster } from '../fixtures/org';
import { eventually } from '../support/cli';
import { createDevServerEnv } from '../support/temporalEnv';

/**
 * Reports and the dashboard over tasks in the 督办 states, read from a real server's visibility. The tasks are
 * executions of type dutyTask on a queue no worker polls, started with the search attributes and memo the task
 * workflow publishes (as the report bench does): what is tested is what the reports make of them. That the workflow
 * publishes exactly these is for its own tests and an end-to-end run.
 */
const tree = new OrgTree(roster);
const QUEUE = `flags-unpolled-${process.pid}`;
const DAY = 86_400_000;
const now = new Date();
const past = new Date(now.getTime() - 2 * DAY);
const future = new Date(now.getTime() + 5 * DAY);
const localDay = (d: Date) => d.toISOString().slice(0, 10);

interface Synthetic {
  period: string;
  unit: 'v-pine' | 'dept-edu';
  status: TaskStatus;
  dueAt: Date;
  flags?: TaskFlag[];
  memo?: Record<string, unknown>;
}

const PATHS = { 'v-pine': ['bureau', 't-east', 'v-pine'], 'dept-edu': ['bureau', 'dept-edu'] };
const ASSIGNEES = { 'v-pine': 'p-pine-1', 'dept-edu': 'p-edu' };

const TASKS: Record<string, Synthetic> = {
  // Overdue against its extended deadline, with a progress note.
  extendedOverdue: {
    period: '2026-03',
    unit: 'v-pine',
    status: 'overdue',
    dueAt: past,
    flags: ['progress', 'extended'],
    memo: { extensions: 1, originalDueOn: '2026-03-16', progress: { at: past.toISOString(), note: '已走访 12 户' } },
  },
  // Completed after its deadline and waiting for review: not overdue.
  inReview: { period: '2026-03', unit: 'dept-edu', status: 'review', dueAt: past },
  // Extended twice, the new deadline still ahead: not overdue, but its extensions count.
  extendedAhead: { period: '2026-02', unit: 'v-pine', status: 'open', dueAt: future, flags: ['extended'], memo: { extensions: 2, originalDueOn: '2026-02-16' } },
  returnedAhead: { period: '2026-02', unit: 'dept-edu', status: 'open', dueAt: future, flags: ['returned'], memo: { returns: 1 } },
  // Opened before the 督办 steps: no flags, no new memo keys.
  oldOverdue: { period: '2026-01', unit: 'v-pine', status: 'overdue', dueAt: past },
  notDue: { period: '2026-04', unit: 'v-pine', status: 'open', dueAt: future },
  // Completed a month late, closed just now: overdue at every earlier point of the trend since its deadline.
  doneLate: { period: '2025-12', unit: 'v-pine', status: 'done', dueAt: new Date(now.getTime() - 30 * DAY) },
};

const taskId = (t: Synthetic) => `task:village-report:${t.period}:${t.unit}`;
const ids = (name: keyof typeof TASKS) => taskId(TASKS[name] as Synthetic);

let env: TestWorkflowEnvironment;
let ctx: ServiceContext;

beforeAll(async () => {
  installRuntimeLogging(pino({ level: 'error' }));
  env = await createDevServerEnv();
  const client = env.client;
  ctx = {
    settings: settings(),
    tree: async () => tree,
    temporal: async () => client,
    catalog: () => Promise.reject(new Error('not used')),
    duty: () => Promise.reject(new Error('not used')),
  };
  for (const t of Object.values(TASKS)) {
    const pairs: SearchAttributePair[] = [
      { key: SA.dutyId, value: 'village-report' },
      { key: SA.period, value: t.period },
      { key: SA.assignee, value: ASSIGNEES[t.unit] },
      { key: SA.unit, value: t.unit },
      { key: SA.unitPath, value: PATHS[t.unit] },
      { key: SA.status, value: t.status },
      { key: SA.dueAt, value: t.dueAt },
      { key: SA.escalationLevel, value: t.status === 'overdue' ? 1 : 0 },
      { key: SA.provisional, value: false },
      ...(t.unit === 'v-pine' ? [{ key: SA.township, value: 't-east' }] : []),
      ...(t.flags ? [{ key: SA.flags, value: t.flags }] : []),
    ];
    const handle = await client.workflow.start(TASK_WORKFLOW_TYPE, {
      taskQueue: QUEUE,
      workflowId: taskId(t),
      typedSearchAttributes: pairs,
      memo: { dutyTitle: '村级月度报表', dueOn: localDay(t.dueAt), ...t.memo },
    });
    if (t.status === 'done') await handle.terminate('closed for the test');
  }
  await eventually(
    () => listTasks(client, {}),
    (tasks) => tasks.length === Object.keys(TASKS).length,
  );
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

test('lists filter by flag (any of them) and by the review status', async () => {
  const client = env.client;
  expect((await listTasks(client, { flags: ['extended'] })).map((t) => t.taskId).sort()).toEqual([ids('extendedAhead'), ids('extendedOverdue')].sort());
  expect((await listTasks(client, { flags: ['extended', 'returned'], unit: 'dept-edu' })).map((t) => t.taskId)).toEqual([ids('returnedAhead')]);
  expect((await listTasks(client, { statuses: ['review'] })).map((t) => t.taskId)).toEqual([ids('inReview')]);
  const [extended] = await listTasks(client, { flags: ['progress'] });
  expect(extended).toMatchObject({ flags: ['progress', 'extended'], extensions: 1, returns: 0, originalDueOn: '2026-03-16', latestProgress: { note: '已走访 12 户' } });
  const [old] = await listTasks(client, { period: '2026-01' });
  expect(old).toMatchObject({ flags: [], extensions: 0, returns: 0 });
});

test('the overdue report: past the current deadline and open work; review is not overdue, an extension moves the deadline', async () => {
  const report = await overdueReport(env.client, tree, {});
  const rows = report.groups.flatMap((g) => g.units.flatMap((u) => u.tasks));
  expect(rows.map((r) => r.taskId).sort()).toEqual([ids('extendedOverdue'), ids('oldOverdue')].sort());
  expect(rows.find((r) => r.taskId === ids('extendedOverdue'))).toMatchObject({ flags: ['progress', 'extended'], originalDueOn: '2026-03-16', dueOn: localDay(past) });
  const narrowed = await overdueReport(env.client, tree, { flags: ['extended'] });
  expect(narrowed.total).toBe(1);
  expect(narrowed.query).toContain("DutyFlags IN ('extended')");
});

test('the dashboard counts review, extensions and returns per unit, and never counts review as overdue', async () => {
  const at = new Date(); // after the late task closed
  const d = await dashboardFor(ctx, OPERATOR, { now: at });
  expect(d.report.total).toBe(2);
  const byUnit = Object.fromEntries(d.ranking.map((r) => [r.unitId, r]));
  expect(byUnit['v-pine']).toMatchObject({ overdue: 2, due: 3, onTime: 0, review: 0, extensions: 3, returns: 0 });
  expect(byUnit['dept-edu']).toMatchObject({ overdue: 0, due: 1, review: 1, extensions: 0, returns: 1 });
  // Now: the same two tasks, not the one waiting for review. Last Sunday night: the late one too, being open then.
  expect(d.trend.at(-1)?.count).toBe(2);
  const lastSunday = DateTime.fromJSDate(at, { zone: ZONE }).startOf('week').minus({ milliseconds: 1 }).toJSDate();
  expect(d.trend.at(-2)?.count).toBe(1 + (past < lastSunday ? 2 : 0));

  const returned = await dashboardFor(ctx, OPERATOR, { now, flags: ['returned'] });
  expect(returned.report.total).toBe(0);
  expect(returned.ranking.map((r) => [r.unitId, r.returns])).toEqual([['dept-edu', 1]]);
});
