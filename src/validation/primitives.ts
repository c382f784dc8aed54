import { DateTime } from 'luxon';
import { z } from 'zod';
import { SOLAR_TERMS } from '../shared/types';

/** Field-level building blocks shared by the duty and roster schemas; messages are what an administrator reads. */

/** A schema-level message that still lets a missing field read as "缺少必填字段". */
export function unlessMissing(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message);
}

export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;
const CLOCK = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

export const kebabId = z
  .string({ error: unlessMissing('必须是文本标识') })
  .regex(KEBAB_CASE, '必须是 kebab-case 标识 (小写字母、数字和连字符, 如 "monthly-data-import")');

export const camelKey = z
  .string({ error: unlessMissing('必须是文本') })
  .regex(CAMEL_CASE, '必须是 camelCase 字段名 (如 "recordsImported")');

export const text = z.string({ error: unlessMissing('必须是文本') }).trim().min(1, '不能为空');

export const clockTime = z
  .string({ error: unlessMissing('必须是 HH:mm 格式的时间, 如 "09:00" (请加引号)') })
  .regex(CLOCK, '必须是 HH:mm 格式的时间, 如 "09:00"');

// Reminders must never wake people up: they are sent inside office hours only.
export const WORKING_HOURS = { from: '08:00', to: '18:00' } as const;
export const workingHoursTime = clockTime.refine(
  (t) => t >= WORKING_HOURS.from && t <= WORKING_HOURS.to,
  `必须在工作时间 ${WORKING_HOURS.from}–${WORKING_HOURS.to} 之内`,
);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD: 2026-02-30 is refused, not rolled over to March. */
export const calendarDate = z
  .string({ error: unlessMissing('必须是 YYYY-MM-DD 格式的日期, 如 2026-07-01') })
  .refine((v) => DATE.test(v) && DateTime.fromISO(v).isValid, '必须是有效的日期, 写作 YYYY-MM-DD, 如 2026-07-01');

export const positiveInt = z.int({ error: unlessMissing('必须是正整数') }).min(1, '必须是正整数');
export const nonNegativeInt = z.int({ error: unlessMissing('必须是非负整数') }).min(0, '必须是非负整数');

export const month = z
  .int({ error: unlessMissing('月份必须是 1–12 的整数') })
  .min(1, '月份必须是 1–12 的整数')
  .max(12, '月份必须是 1–12 的整数');

export const solarTerm = z.enum(SOLAR_TERMS, { error: unlessMissing(`节气必须是 ${SOLAR_TERMS.join('/')} 之一`) });

export function enumOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, { error: unlessMissing(`${what}必须是 ${values.join(' / ')} 之一`) });
}

/** Indices of entries whose key already appeared earlier, paired with the first index. */
export function duplicates<T>(items: readonly T[], keyOf: (item: T) => unknown): { index: number; first: number }[] {
  const seen = new Map<unknown, number>();
  const found: { index: number; first: number }[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else found.push({ index, first });
  });
  return found;
}
