import { DateTime } from 'luxon';
import type { LocalDate, ShiftPolicy } from '../shared/types';
import { ZONE } from '../shared/zone';
import type { WorkCalendar } from './workdays';

/** Working days in [from, to], both days included: how far an emergency window pushes a deadline inside it. */
export function workingDaysIn(from: LocalDate, to: LocalDate, cal: WorkCalendar): number {
  let count = 0;
  for (let d = DateTime.fromISO(from, { zone: ZONE }); (d.toISODate() ?? '') <= to; d = d.plus({ days: 1 })) {
    if (cal.isWorkday(d.toISODate() ?? '')) count += 1;
  }
  return count;
}

/**
 * A deadline inside an emergency window [from, to] moves on by the working days the window covers, then follows the
 * duty's shift rule; a deadline outside it stays (undefined).
 */
export function deadlineAfterWindow(dueOn: LocalDate, from: LocalDate, to: LocalDate, shift: ShiftPolicy, cal: WorkCalendar): LocalDate | undefined {
  if (dueOn < from || dueOn > to) return undefined;
  const covered = workingDaysIn(from, to, cal);
  if (covered === 0) return undefined;
  return cal.shift(cal.addWorkingDays(dueOn, covered).date, shift).date;
}
