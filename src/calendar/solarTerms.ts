import { getSolarTermDate } from 'chinese-days';
import { CalendarError, UsageError } from '../errors';
import { SOLAR_TERMS, type LocalDate, type SolarTerm } from '../shared/types';

type TermKey = Parameters<typeof getSolarTermDate>[2];

const TERMS: Record<SolarTerm, { key: TermKey; month: number }> = {
  立春: { key: 'the_beginning_of_spring', month: 2 },
  立夏: { key: 'the_beginning_of_summer', month: 5 },
  立秋: { key: 'the_beginning_of_autumn', month: 8 },
  立冬: { key: 'the_beginning_of_winter', month: 11 },
};

/** The package's formula constants are for the 20th and 21st centuries only. */
const FIRST_YEAR = 1901;
const LAST_YEAR = 2099;

/** Position of a term within a calendar year, used to tell whether a window wraps into the next year. */
export function termOrder(term: SolarTerm): number {
  return SOLAR_TERMS.indexOf(term);
}

export function assertSolarTerm(term: unknown): asserts term is SolarTerm {
  if (!(SOLAR_TERMS as readonly unknown[]).includes(term)) {
    throw new UsageError(`节气无效: ${JSON.stringify(term)},应为 ${SOLAR_TERMS.join('、')} 之一`);
  }
}

/** The local date on which `term` begins in `year` (China Standard Time). */
export function solarTermDate(term: SolarTerm, year: number): LocalDate {
  assertSolarTerm(term);
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new CalendarError(`无法计算 ${year} 年的${term}:节气数据只覆盖 ${FIRST_YEAR}–${LAST_YEAR} 年`);
  }
  const { key, month } = TERMS[term];
  const reported = getSolarTermDate(year, month, key);
  const date = undoHostZoneShift(reported);
  if (date.slice(0, 7) !== `${year}-${String(month).padStart(2, '0')}`) {
    throw new CalendarError(`chinese-days 给出的 ${year} 年${term}日期不合理: ${reported}`);
  }
  return date;
}

/**
 * chinese-days builds the date as UTC midnight and formats it with the host's local getters, so on a host west of UTC
 * it reports the day before. The true date is the one whose UTC midnight the host renders as `reported`.
 */
function undoHostZoneShift(reported: string): LocalDate {
  const [y, m, d] = reported.split('-').map(Number) as [number, number, number];
  for (const candidate of [d, d + 1]) {
    const host = new Date(Date.UTC(y, m - 1, candidate));
    const rendered = `${host.getFullYear()}-${pad(host.getMonth() + 1)}-${pad(host.getDate())}`;
    if (rendered === reported) {
      const utc = new Date(Date.UTC(y, m - 1, candidate));
      return `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;
    }
  }
  throw new CalendarError(`无法解析 chinese-days 给出的节气日期: ${reported}`);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
