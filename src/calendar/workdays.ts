import { CalendarError, UsageError } from '../errors';
import type { LocalDate, ShiftPolicy } from '../shared/types';
import { parseLocalDate, toLocalDate } from './dates';
import { packageYears, type YearArrangement } from './holidayData';

export interface CalendarResult {
  date: LocalDate;
  /** True when a day consulted lies in a year with no official arrangement, so weekends-only was assumed. */
  provisional: boolean;
}

/** Longer than any run of days off the State Council has ever declared; more means the data is broken. */
const MAX_DAYS_OFF_IN_A_ROW = 60;

export class WorkCalendar {
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();
  private readonly sources = new Map<number, string>();

  /** Later arrangements win on a conflicting day, so overrides are applied after the package's years. */
  private constructor(layers: Map<number, YearArrangement>[]) {
    for (const layer of layers) {
      for (const [year, arrangement] of [...layer.entries()].sort(([a], [b]) => a - b)) {
        this.sources.set(year, arrangement.source);
        for (const date of arrangement.holidays) {
          this.workdays.delete(date);
          this.holidays.add(date);
        }
        for (const date of arrangement.workdays) {
          this.holidays.delete(date);
          this.workdays.add(date);
        }
      }
    }
  }

  /** The package's years, with each year of `overrides` (from the holiday file) replacing the package's year. */
  static withOverrides(overrides: Map<number, YearArrangement> = new Map()): WorkCalendar {
    const base = packageYears();
    // An override year replaces the package's year wholesale: a corrected notice must not inherit stale days.
    for (const year of overrides.keys()) base.delete(year);
    return new WorkCalendar([base, overrides]);
  }

  /**
   * Takes over another calendar's days in place: a worker's activities hold this object, so newly published holiday
   * data reaches them without a restart.
   */
  replaceWith(other: WorkCalendar): void {
    for (const field of ['holidays', 'workdays'] as const) {
      this[field].clear();
      for (const date of other[field]) this[field].add(date);
    }
    this.sources.clear();
    for (const [year, source] of other.sources) this.sources.set(year, source);
  }

  hasData(year: number): boolean {
    return this.sources.has(year);
  }

  /** Years with an official arrangement and where it came from (`chinese-days` or the override file). */
  coverage(): { year: number; source: string }[] {
    return [...this.sources.entries()].sort(([a], [b]) => a - b).map(([year, source]) => ({ year, source }));
  }

  isWorkday(date: LocalDate): boolean {
    const dt = parseLocalDate(date);
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    return dt.weekday <= 5;
  }

  isProvisional(date: LocalDate): boolean {
    return !this.hasData(parseLocalDate(date).year);
  }

  shift(date: LocalDate, policy: ShiftPolicy): CalendarResult {
    switch (policy) {
      case 'none':
        return { date: toLocalDate(parseLocalDate(date)), provisional: this.isProvisional(date) };
      case 'next-working-day':
        return this.firstWorkday(date, 1);
      case 'previous-working-day':
        return this.firstWorkday(date, -1);
      default:
        throw new UsageError(`顺延规则无效: ${JSON.stringify(policy)},应为 next-working-day、previous-working-day 或 none`);
    }
  }

  /** n working days after (n > 0) or before (n < 0) `date`, not counting `date` itself; n = 0 is `date` unchanged. */
  addWorkingDays(date: LocalDate, n: number): CalendarResult {
    if (!Number.isInteger(n)) throw new UsageError(`工作日数无效: ${JSON.stringify(n)},应为整数`);
    let dt = parseLocalDate(date);
    let provisional = this.isProvisional(date);
    const step = Math.sign(n);
    let left = Math.abs(n);
    let sinceLastWorkday = 0;
    while (left > 0) {
      dt = dt.plus({ days: step });
      const day = toLocalDate(dt);
      provisional ||= !this.hasData(dt.year);
      if (this.isWorkday(day)) {
        left -= 1;
        sinceLastWorkday = 0;
      } else if (++sinceLastWorkday > MAX_DAYS_OFF_IN_A_ROW) {
        throw this.noWorkdayError(date);
      }
    }
    return { date: toLocalDate(dt), provisional };
  }

  /** `date` if it is a working day, else the first working day in direction `step`. */
  private firstWorkday(date: LocalDate, step: 1 | -1): CalendarResult {
    let dt = parseLocalDate(date);
    let provisional = !this.hasData(dt.year);
    for (let i = 0; i <= MAX_DAYS_OFF_IN_A_ROW; i += 1) {
      const day = toLocalDate(dt);
      provisional ||= !this.hasData(dt.year);
      if (this.isWorkday(day)) return { date: day, provisional };
      dt = dt.plus({ days: step });
    }
    throw this.noWorkdayError(date);
  }

  private noWorkdayError(date: LocalDate): CalendarError {
    return new CalendarError(`${date} 前后连续 ${MAX_DAYS_OFF_IN_A_ROW} 天以上没有工作日,节假日数据可能有误`);
  }
}
