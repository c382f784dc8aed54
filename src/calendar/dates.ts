import { DateTime } from 'luxon';
import { UsageError } from '../errors';
import type { IsoInstant, LocalDate, LocalTime } from '../shared/types';
import { ZONE } from '../shared/zone';

/** China has had no DST since 1991, but naming the zone keeps every instant at +08:00 regardless of the host's TZ. */

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Parses a `YYYY-MM-DD` local date; impossible dates such as 2026-02-30 are refused rather than rolled over. */
export function parseLocalDate(value: LocalDate, what = '日期'): DateTime {
  const dt = typeof value === 'string' && DATE_RE.test(value) ? DateTime.fromISO(value, { zone: ZONE }) : undefined;
  if (!dt?.isValid) {
    throw new UsageError(`${what}无效: ${JSON.stringify(value)},应为 YYYY-MM-DD 格式的真实日期(如 2026-03-15)`);
  }
  return dt;
}

export function assertLocalTime(value: LocalTime, what = '时间'): void {
  if (typeof value !== 'string' || !TIME_RE.test(value)) {
    throw new UsageError(`${what}无效: ${JSON.stringify(value)},应为 HH:mm 格式(如 09:00)`);
  }
}

export function parseInstant(value: IsoInstant, what = '时刻'): DateTime {
  const dt = typeof value === 'string' ? DateTime.fromISO(value, { zone: ZONE }) : undefined;
  if (!dt?.isValid) {
    throw new UsageError(`${what}无效: ${JSON.stringify(value)},应为带时区的 ISO-8601 时刻(如 2026-03-13T09:00:00.000+08:00)`);
  }
  return dt;
}

export function toLocalDate(dt: DateTime): LocalDate {
  return dt.setZone(ZONE).toISODate() as LocalDate;
}

/** The single place instants are rendered, so every module emits the same `…T09:00:00.000+08:00` shape. */
export function toInstant(dt: DateTime): IsoInstant {
  return dt.setZone(ZONE).toISO() as IsoInstant;
}

export function atLocalTime(date: LocalDate, time: LocalTime): IsoInstant {
  assertLocalTime(time);
  const [hour, minute] = time.split(':').map(Number);
  return toInstant(parseLocalDate(date).set({ hour, minute, second: 0, millisecond: 0 }));
}

export function plusDays(date: LocalDate, days: number): LocalDate {
  return toLocalDate(parseLocalDate(date).plus({ days }));
}

/** Local dates compare correctly as strings because they are zero-padded. */
export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a >= b ? a : b;
}

export function instantMillis(value: IsoInstant): number {
  return parseInstant(value).toMillis();
}
