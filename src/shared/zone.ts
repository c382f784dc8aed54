import { DateTime } from 'luxon';
import type { LocalDate } from './types';

/** The one time zone of the whole project: every deadline, schedule, message and report is in it. */
export const ZONE = 'Asia/Shanghai';

/** The calendar date, in ZONE, of an instant. Sandbox-safe (luxon reads the zone through Intl). */
export function shanghaiDate(ms: number): LocalDate {
  return DateTime.fromMillis(ms, { zone: ZONE }).toISODate()!;
}

/** `2026-03-15 17:30` in ZONE: how people read an instant in messages. Sandbox-safe. */
export function shanghaiStamp(iso: string): string {
  return DateTime.fromISO(iso, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}
