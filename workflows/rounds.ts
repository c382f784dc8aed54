import { condition } from '@temporalio/workflow';
import type { RoundEntry } from '../src/shared/household';
import type { TaskClosedEvent, TaskInput } from '../src/contracts/dutyTask';

/** How a revisit programme or a lifecycle keeps track of the tasks it opened. */

export function entryOf(task: TaskInput, round: number): RoundEntry {
  const o = task.occurrence;
  return {
    round,
    phase: o.phase ?? `r${round}`,
    title: o.phaseTitle ?? `第${round}次`,
    taskId: task.taskId,
    unitId: task.assignee.unitId,
    opensAt: o.opensAt,
    dueOn: o.dueOn,
    dueAt: o.dueAt,
    status: 'pending',
  };
}

/** Done on time, done late, or waived; a waiver the parent asked for reads as cancelled. */
export function closeRound(entry: RoundEntry, event: TaskClosedEvent, cancelling: boolean): void {
  entry.closedAt = event.at;
  entry.by = event.by;
  if (event.status === 'done') {
    entry.status = Date.parse(event.at) > Date.parse(entry.dueAt) ? 'late' : 'done';
    entry.fields = event.fields;
    entry.note = event.note;
  } else {
    entry.status = cancelling ? 'cancelled' : 'waived';
    entry.reason = event.reason;
  }
}

export function isClosed(entry: RoundEntry): boolean {
  return entry.status !== 'pending' && entry.status !== 'open' && entry.status !== 'overdue';
}

/** Marks an open round overdue at its deadline, so the parent's state (and `household show`) says so without a clock. */
export async function watchDeadline(entry: RoundEntry): Promise<void> {
  const ms = Date.parse(entry.dueAt) - Date.now();
  if (ms > 0) await condition(() => isClosed(entry), ms);
  if (entry.status === 'open') entry.status = 'overdue';
}
