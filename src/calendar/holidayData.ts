import { DateTime } from 'luxon';
import packageData from 'chinese-days/dist/chinese-days.json';
import { CalendarError } from '../errors';
import { ZONE } from '../shared/zone';

/**
 * One year's official arrangement: days off, and weekend days that are working days (调休上班日).
 * A notice may reach into a neighbouring year (a 元旦 make-up day on 12-31), so dates may lie in year ± 1.
 */
export interface YearArrangement {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  /** `chinese-days` or the override file's path. */
  source: string;
}

export type HolidayOverrides = Record<string, { holidays: string[]; workdays: string[] }>;

/**
 * Reads the package's generated JSON rather than calling its date functions: those parse `YYYY-MM-DD` as UTC and
 * read it back in the host's local zone, so on a host west of UTC every answer is off by one day.
 */
export function packageYears(): Map<number, YearArrangement> {
  const years = new Map<number, { holidays: Set<string>; workdays: Set<string>; source: string }>();
  const slot = (date: string) => {
    const year = Number(date.slice(0, 4));
    let entry = years.get(year);
    if (!entry) {
      entry = { holidays: new Set(), workdays: new Set(), source: 'chinese-days' };
      years.set(year, entry);
    }
    return entry;
  };
  // A year counts as covered only if the package lists holidays for it; a stray make-up day alone is not an arrangement.
  for (const date of Object.keys(packageData.holidays)) slot(date).holidays.add(date);
  for (const date of Object.keys(packageData.workdays)) {
    if (years.has(Number(date.slice(0, 4)))) slot(date).workdays.add(date);
  }
  return years;
}

export function parseOverrides(json: unknown, file: string): Map<number, YearArrangement> {
  const fail = (where: string, message: string, value?: unknown): never => {
    const shown = value === undefined ? '' : `(值: ${JSON.stringify(value)})`;
    throw new CalendarError(`节假日文件 ${file} 中 ${where}: ${message}${shown}。格式见 data/README.md`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail('顶层', '应为以年份为键的对象,如 {"2027": {"holidays": [...], "workdays": [...]}}');
  }
  const years = new Map<number, YearArrangement>();
  for (const [key, entry] of Object.entries(json)) {
    if (!/^\d{4}$/.test(key)) fail(`"${key}"`, '键应为四位年份', key);
    const year = Number(key);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return fail(`"${key}"`, '应为 {"holidays": [...], "workdays": [...]}');
    }
    for (const extra of Object.keys(entry)) {
      if (extra !== 'holidays' && extra !== 'workdays') fail(`"${key}".${extra}`, '未知字段,只允许 holidays 与 workdays');
    }
    const record = entry as Record<string, unknown>;
    const lists = { holidays: new Set<string>(), workdays: new Set<string>() };
    for (const field of ['holidays', 'workdays'] as const) {
      const list = record[field];
      // Both lists are required so that a forgotten make-up-day list cannot silently turn working Saturdays into days off.
      if (!Array.isArray(list)) fail(`"${key}".${field}`, '缺少或不是数组(没有时写 [])', list);
      (list as unknown[]).forEach((value, i) => {
        const where = `"${key}".${field}[${i}]`;
        const dt = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone: ZONE }) : undefined;
        if (!dt?.isValid) fail(where, '不是有效的 YYYY-MM-DD 日期', value);
        if (Math.abs(dt!.year - year) > 1) fail(where, `日期应在 ${year} 年内(跨年调休最多涉及相邻年份)`, value);
        if (field === 'workdays' && dt!.weekday < 6) fail(where, '调休上班日应为周六或周日(周一至周五本来就上班)', value);
        lists[field].add(value as string);
      });
    }
    for (const date of lists.workdays) {
      if (lists.holidays.has(date)) fail(`"${key}"`, '同一天不能既放假又上班', date);
    }
    years.set(year, { ...lists, source: file });
  }
  return years;
}
