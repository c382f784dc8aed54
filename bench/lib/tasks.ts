import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DateTime } from 'luxon';
import type { OrgTree } from '../../src/roster/orgTree';
import { TASK_WORKFLOW_TYPE, type TaskInput } from '../../src/contracts/dutyTask';
import type { Duty, Occurrence, Person } from '../../src/shared/types';
import { startTask, taskSearchAttributes, type TaskStanding } from '../../src/tasks/start';
import { taskInputFor } from '../../src/tasks/taskInput';
import { ZONE } from '../../src/shared/zone';

export interface SyntheticTask {
  dutyId: string;
  period: string;
  unitId: string;
  /** Reminder instants; the bench puts them where it wants the herd. */
  reminders: Date[];
  dueAt: Date;
}

/** The duty a synthetic task belongs to: one task per unit; the bench chooses reminders and deadline itself. */
function benchDuty(id: string): Duty {
  return {
    id,
    title: '压测职责',
    description: '',
    source: 'bench',
    recurrence: { kind: 'monthly' },
    assignTo: { unitKinds: ['village'], role: 'cadre', per: 'unit' },
    opens: { atPeriodStart: true },
    deadline: { endOfPeriod: true },
    dueTime: '17:30',
    shift: 'none',
    reminders: { workingDaysBefore: [], onDueDay: false, sendAt: '09:00' },
    escalation: { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }], repeatEveryWorkingDays: 2 },
    completion: { note: 'optional', fields: [] },
    urgent: false,
  };
}

/**
 * A task input exactly as planCycle would build it for a unit, except that the instants are chosen by the bench.
 * Going through the real TaskInput keeps the engine's payload sizes and search attributes in the measurement.
 */
export function syntheticTask(tree: OrgTree, t: SyntheticTask): TaskInput {
  const unit = tree.unit(t.unitId);
  const holder = tree.roster.people.find((p) => p.unit === unit.id && !p.roles.includes('supervisor'));
  if (!holder) throw new Error(`no assignee in ${unit.id}`);
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE });
  const opens = local(t.reminders[0] ?? t.dueAt).startOf('day');
  const due = local(t.dueAt);
  const occurrence: Occurrence = {
    dutyId: t.dutyId,
    period: t.period,
    periodStart: opens.toISODate() ?? '',
    periodEnd: due.toISODate() ?? '',
    opensOn: opens.toISODate() ?? '',
    opensAt: opens.toISO() ?? '',
    nominalDueOn: due.toISODate() ?? '',
    dueOn: due.toISODate() ?? '',
    dueAt: due.toISO() ?? '',
    reminders: t.reminders.map((r) => local(r).toISO() ?? ''),
    provisional: false,
  };
  return taskInputFor(benchDuty(t.dutyId), occurrence, { personId: holder.id, unitId: unit.id }, tree);
}

/**
 * A herd as a cycle opens one: `n` tasks of a single occurrence (one duty, one period, one deadline), one per
 * village cadre, all reminding at `plannedAt`. Opened with `openTaskBatch`, they share one herald.
 */
export function occurrenceHerd(tree: OrgTree, holders: Person[], plannedAt: Date, tag: string): TaskInput[] {
  const first = holders[0];
  if (!first) return [];
  const template = syntheticTask(tree, { dutyId: 'bench-herd', period: tag, unitId: first.unit, reminders: [plannedAt], dueAt: new Date(plannedAt.getTime() + 30 * 86_400_000) });
  return holders.map((p) => taskInputFor(benchDuty('bench-herd'), template.occurrence, { personId: p.id, unitId: p.unit }, tree, { per: 'person' }));
}

/** Starts the tasks through the engine's own startTask, `parallel` at a time; returns the wall time taken. */
export async function startAll(client: Client, taskQueue: string, inputs: TaskInput[], parallel = 32): Promise<number> {
  const began = Date.now();
  await eachParallel(inputs, parallel, async (input) => {
    await startTask(client, taskQueue, input);
  });
  return Date.now() - began;
}

/** Runs `fn` over `items` with at most `parallel` in flight. */
export async function eachParallel<T>(items: readonly T[], parallel: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i] as T, i);
    }),
  );
}

/** Where a task stands, as the task workflow would have published it after some 督办 steps. */
export interface SeededStanding extends TaskStanding {
  /** Memo keys the listings read: `completedAt`, `extensions`, `returns`, `originalDueOn`. */
  memo?: Record<string, unknown>;
}

/**
 * A task that has already moved through its steps: started with the search attributes and memo the task workflow
 * publishes for that standing, on a queue no worker polls; a closed one (done, waived) is then terminated, so it is
 * a closed execution in visibility as a finished task is. An id already started is left as it is.
 */
export async function startInStanding(client: Client, taskQueue: string, input: TaskInput, s: SeededStanding): Promise<void> {
  const o = input.occurrence;
  try {
    const handle = await client.workflow.start(TASK_WORKFLOW_TYPE, {
      workflowId: input.taskId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { dutyTitle: input.duty.title, dueOn: o.dueOn, ...s.memo },
      typedSearchAttributes: taskSearchAttributes({ ...input, occurrence: { ...o, provisional: false } }, s),
    });
    if (s.status === 'done' || s.status === 'waived') await handle.terminate('bench: closed in this standing');
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
