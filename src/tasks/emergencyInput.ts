import { atLocalTime, deadlineAfterWindow, planDeadline, type WorkCalendar } from '../calendar';
import type { TaskInput } from '../contracts/dutyTask';
import type { OrgTree } from '../roster/orgTree';
import type { Duty, LocalDate } from '../shared/types';
import { ZONE } from '../shared/zone';
import { DateTime } from 'luxon';

/** An emergency suspension in force, as the planner needs it (the store keeps more). */
export interface EmergencyWindow {
  id: string;
  units: string[];
  from: LocalDate;
  to: LocalDate;
  reason: string;
}

/**
 * A task that opens while an emergency suspends its unit starts suspended, its deadline already moved when it falls
 * inside the window: the emergency covers tasks that open during it, not only those open when it was declared.
 */
export function withEmergencies(input: TaskInput, windows: readonly EmergencyWindow[], duty: Duty, tree: OrgTree, cal: WorkCalendar): TaskInput {
  const covering = windows.filter((w) => w.units.some((u) => tree.isInSubtree(input.assignee.unitId, u)));
  if (covering.length === 0) return input;
  let occurrence = input.occurrence;
  for (const w of covering) {
    const movedTo = deadlineAfterWindow(occurrence.dueOn, w.from, w.to, duty.shift, cal);
    if (!movedTo) continue;
    const plan = planDeadline(duty, movedTo, cal, occurrence.opensAt);
    occurrence = { ...occurrence, dueOn: plan.dueOn, dueAt: plan.dueAt, reminders: plan.reminders, provisional: plan.provisional };
  }
  const suspensions = covering.map((w) => ({
    emergencyId: w.id,
    fromAt: atLocalTime(w.from, '00:00'),
    untilAt: atLocalTime(DateTime.fromISO(w.to, { zone: ZONE }).plus({ days: 1 }).toISODate() ?? w.to, '00:00'),
    reason: w.reason,
  }));
  return { ...input, occurrence, suspensions };
}
