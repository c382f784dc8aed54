import { DateTime } from 'luxon';
import type { IsoInstant } from '../shared/types';
import { ZONE } from '../shared/zone';
import type { WorkCalendar } from './workdays';

/** Working hours are 08:00 to 18:00 inclusive, on working days: when notices go out and 签收 time is counted. */
export const WORKING_HOURS = { start: 8, end: 18 } as const;

export function isWithinWorkingHours(at: DateTime, cal: WorkCalendar): boolean {
  const local = at.setZone(ZONE);
  const minutes = local.hour * 60 + local.minute;
  return minutes >= WORKING_HOURS.start * 60 && minutes <= WORKING_HOURS.end * 60 && cal.isWorkday(local.toISODate() ?? '');
}

/** The instant `hours` working hours after `from`, counting only 08:00–18:00 on working days. */
export function addWorkingHours(from: IsoInstant, hours: number, cal: WorkCalendar): IsoInstant {
  let at = DateTime.fromISO(from, { zone: ZONE });
  let left = hours * 60;
  // A day at a time: at most a few hundred iterations for any sensible window, even across the Spring Festival.
  for (let guard = 0; guard < 1000; guard++) {
    const day = at.toISODate() ?? '';
    const open = at.startOf('day').set({ hour: WORKING_HOURS.start });
    const close = at.startOf('day').set({ hour: WORKING_HOURS.end });
    if (cal.isWorkday(day) && at < close) {
      const start = at < open ? open : at;
      const available = close.diff(start, 'minutes').minutes;
      if (left <= available) return start.plus({ minutes: left }).toUTC().toISO()!;
      left -= available;
    }
    at = at.startOf('day').plus({ days: 1 });
  }
  throw new RangeError(`working hours out of range: ${hours}`);
}
