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

/** One problem in a holiday file: where (the JSON path), what is wrong, and the refused value. */
export interface HolidayProblem {
  path: (string | number)[];
  message: string;
  value?: unknown;
}

const SHAPE = '应为 {"holidays": [...], "workdays": [...]}';

/** Every problem of a holiday file's data at once, each at its JSON path; none means `parseOverrides` accepts it. */
export function holidayProblems(json: unknown): HolidayProblem[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return [{ path: [], message: '应为以年份为键的对象,如 {"2027": {"holidays": [...], "workdays": [...]}}' }];
  }
  return Object.entries(json).flatMap(([key, entry]) => yearProblems(key, entry));
}

function yearProblems(key: string, entry: unknown): HolidayProblem[] {
  if (!/^\d{4}$/.test(key)) return [{ path: [key], message: '键应为四位年份', value: key }];
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [{ path: [key], message: SHAPE }];
  const problems: HolidayProblem[] = Object.keys(entry)
    .filter((extra) => extra !== 'holidays' && extra !== 'workdays')
    .map((extra) => ({ path: [key, extra], message: '未知字段,只允许 holidays 与 workdays' }));
  const year = Number(key);
  const seen = { holidays: new Set<string>(), workdays: new Set<string>() };
  for (const field of ['holidays', 'workdays'] as const) {
    const list = (entry as Record<string, unknown>)[field];
    // Both lists are required so that a forgotten make-up-day list cannot silently turn working Saturdays into days off.
    if (!Array.isArray(list)) {
      problems.push({ path: [key, field], message: '缺少或不是数组(没有时写 [])', value: list });
      continue;
    }
    list.forEach((value: unknown, i) => {
      const problem = dateProblem(value, year, field, seen[field]);
      if (problem) problems.push({ path: [key, field, i], message: problem, value });
      else seen[field].add(value as string);
    });
  }
  for (const date of seen.workdays) {
    if (seen.holidays.has(date)) problems.push({ path: [key, 'workdays', [...seen.workdays].indexOf(date)], message: '同一天不能既放假又上班', value: date });
  }
  return problems;
}

function dateProblem(value: unknown, year: number, field: 'holidays' | 'workdays', seen: Set<string>): string | undefined {
  const dt = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone: ZONE }) : undefined;
  if (!dt?.isValid) return '不是有效的 YYYY-MM-DD 日期';
  if (Math.abs(dt.year - year) > 1) return `日期应在 ${year} 年内(跨年调休最多涉及相邻年份)`;
  if (field === 'workdays' && dt.weekday < 6) return '调休上班日应为周六或周日(周一至周五本来就上班)';
  if (seen.has(value as string)) return `同一日期在 ${field} 中重复列出`;
  return undefined;
}

/** The arrangements of a holiday file's data; the first problem, if any, is thrown naming the file and the entry. */
export function parseOverrides(json: unknown, file: string): Map<number, YearArrangement> {
  const problem = holidayProblems(json)[0];
  if (problem) {
    const where = problem.path.length ? problem.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? `"${p}"` : `.${p}`)).join('') : '顶层';
    const shown = problem.value === undefined ? '' : `(值: ${JSON.stringify(problem.value)})`;
    throw new CalendarError(`节假日文件 ${file} 中 ${where}: ${problem.message}${shown}。格式见 data/README.md`);
  }
  const years = new Map<number, YearArrangement>();
  for (const [key, entry] of Object.entries(json as Record<string, { holidays: string[]; workdays: string[] }>)) {
    years.set(Number(key), { holidays: new Set(entry.holidays), workdays: new Set(entry.workdays), source: file });
  }
  return years;
}
