import { createHash } from 'node:crypto';
import { type CalendarSpec, type Month, MONTHS, type ScheduleSpec } from '@temporalio/client';
import { solarTermDate } from '../calendar';
import type { Duty, ScheduledRecurrence } from '../shared/types';
import { ZONE } from '../shared/zone';

/** A cycle opens its period at 07:00, so tasks exist before the working day starts. */
const FIRE_HOUR = 7;
/** Solar-term dates move by a day between years, so those schedules list each year's exact date over a fixed horizon. */
export const SOLAR_TERM_YEARS = { from: 2024, to: 2050 };

function month(n: number): Month {
  const m = MONTHS[n - 1];
  if (!m) throw new RangeError(`month ${n}`);
  return m;
}

function firstDayOf(months: number[]): CalendarSpec {
  return { month: months.map((n) => ({ start: month(n), end: month(n) })), dayOfMonth: 1, hour: FIRE_HOUR };
}

function calendarsFor(rec: ScheduledRecurrence): CalendarSpec[] {
  switch (rec.kind) {
    case 'monthly':
      return [{ dayOfMonth: 1, hour: FIRE_HOUR, month: '*' }];
    case 'quarterly':
      return [firstDayOf([1, 4, 7, 10])];
    case 'half-yearly':
      return [firstDayOf([1, 7])];
    case 'yearly':
      return [firstDayOf([1])];
    case 'seasonal': {
      const w = rec.window;
      if ('fromMonth' in w) return [firstDayOf([w.fromMonth])];
      const calendars: CalendarSpec[] = [];
      for (let year = SOLAR_TERM_YEARS.from; year <= SOLAR_TERM_YEARS.to; year++) {
        const [, m, d] = solarTermDate(w.fromTerm, year).split('-').map(Number);
        calendars.push({ year, month: month(m ?? 1), dayOfMonth: d ?? 1, hour: FIRE_HOUR, comment: `${w.fromTerm} ${year}` });
      }
      return calendars;
    }
  }
}

/** The schedule fires when a period opens; the deadline itself comes from the project's calendar, not the spec. */
export function scheduleSpecFor(duty: Duty & { recurrence: ScheduledRecurrence }): ScheduleSpec {
  return { calendars: calendarsFor(duty.recurrence), timezone: ZONE };
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
