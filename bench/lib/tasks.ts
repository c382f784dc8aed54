import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { OrgTree } from '../../src/roster/orgTree';
import { type TaskInput, taskWorkflowId } from '../../src/contracts/dutyTask';
import { startTask } from '../../src/tasks/start';

const ZONE = 'Asia/Shanghai';

export interface SyntheticTask {
  dutyId: string;
  period: string;
  unitId: string;
  /** Reminder instants; the bench puts them where it wants the herd. */
  reminders: Date[];
  dueAt: Date;
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
  const admins = tree.admins().map((p) => p.id);
  return {
    taskId: taskWorkflowId(t.dutyId, t.period, unit.id),
    duty: {
      id: t.dutyId,
      title: '压测职责',
      completion: { note: 'optional', fields: [] },
      escalation: { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }], repeatEveryWorkingDays: 2 },
      sendAt: '09:00',
      urgent: false,
    },
    occurrence: {
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
    },
    assignee: { personId: holder.id, unitId: unit.id },
    unitName: unit.name,
    unitPath: tree.unitPath(unit.id),
    township: tree.township(unit.id)?.id,
    completers: [...new Set([...tree.peopleOf(unit.id).map((p) => p.id), ...admins])],
    admins,
  };
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
