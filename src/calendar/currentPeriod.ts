import { DateTime } from 'luxon';
import type { Duty, IsoInstant, Period, ScheduledRecurrence } from '../shared/types';
import { ZONE } from '../shared/zone';
import { planOccurrences } from './occurrences';
import { periodContaining } from './periods';
import type { WorkCalendar } from './workdays';

/**
 * Where a duty's current period stands at an instant, for a schedule created (or resumed) mid-period:
 * `open` – the period has begun and its last deadline is ahead, so it should open now;
 * `missed` – its last deadline has passed, so opening it now would only produce overdue work;
 * `none` – the date lies in no period of the duty (a seasonal duty between seasons).
 */
export type CurrentPeriod = { state: 'open' | 'missed'; period: Period; lastDueAt: IsoInstant } | { state: 'none' };

export function currentPeriod(duty: Duty & { recurrence: ScheduledRecurrence }, now: IsoInstant, cal: WorkCalendar): CurrentPeriod {
  const today = DateTime.fromISO(now, { zone: ZONE }).toISODate() ?? '';
  const period = periodContaining(duty.recurrence, today);
  if (!period) return { state: 'none' };
  const lastDueAt = planOccurrences(duty, period, cal)
    .map((o) => o.dueAt)
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
  if (!lastDueAt) return { state: 'none' };
  return { state: Date.parse(lastDueAt) > Date.parse(now) ? 'open' : 'missed', period, lastDueAt };
}
