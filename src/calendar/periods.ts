import { DateTime } from 'luxon';
import { UsageError } from '../errors';
import type { LocalDate, Period, ScheduledRecurrence, SeasonWindow } from '../shared/types';
import { parseLocalDate, plusDays, toLocalDate } from './dates';
import { ZONE } from '../shared/zone';
import { assertSolarTerm, solarTermDate, termOrder } from './solarTerms';

/** The period of `rec` that contains `date`; undefined only for a seasonal window that does not cover the date. */
export function periodContaining(rec: ScheduledRecurrence, date: LocalDate): Period | undefined {
  const dt = parseLocalDate(date);
  switch (rec.kind) {
    case 'monthly':
      return monthSpan(dt.year, dt.month, 1, dt.toFormat('yyyy-MM'));
    case 'quarterly':
      return monthSpan(dt.year, dt.quarter * 3 - 2, 3, `${dt.year}-Q${dt.quarter}`);
    case 'half-yearly': {
      const half = dt.month <= 6 ? 1 : 2;
      return monthSpan(dt.year, half * 6 - 5, 6, `${dt.year}-H${half}`);
    }
    case 'yearly':
      return monthSpan(dt.year, 1, 12, String(dt.year));
    case 'seasonal':
      // A window lasts at most a year, so only the windows starting this year or last year can hold the date.
      for (const year of [dt.year - 1, dt.year]) {
        const window = seasonalPeriod(rec, year);
        if (window.start <= date && date <= window.end) return window;
      }
      return undefined;
    default:
      return unscheduled(rec);
  }
}

export function periodByLabel(rec: ScheduledRecurrence, label: string): Period {
  const bad = (): never => {
    throw new UsageError(`周期标签 ${JSON.stringify(label)} 与${KIND_NAMES[rec.kind] ?? '该'}周期不符,应为 ${labelFormat(rec)}`);
  };
  if (typeof label !== 'string') return bad();
  const match = (re: RegExp): number[] => label.match(re)?.slice(1).map(Number) ?? bad();
  switch (rec.kind) {
    case 'monthly': {
      const [year = 0, month = 0] = match(/^(\d{4})-(\d{2})$/);
      if (month < 1 || month > 12) bad();
      return monthSpan(year, month, 1, label);
    }
    case 'quarterly': {
      const [year = 0, quarter = 0] = match(/^(\d{4})-Q([1-4])$/);
      return monthSpan(year, quarter * 3 - 2, 3, label);
    }
    case 'half-yearly': {
      const [year = 0, half = 0] = match(/^(\d{4})-H([12])$/);
      return monthSpan(year, half * 6 - 5, 6, label);
    }
    case 'yearly': {
      const [year = 0] = match(/^(\d{4})$/);
      return monthSpan(year, 1, 12, label);
    }
    case 'seasonal': {
      const year = Number(label.slice(0, 4));
      if (!/^\d{4}$/.test(label.slice(0, 4)) || label.slice(4) !== `-${rec.season}`) bad();
      return seasonalPeriod(rec, year);
    }
    default:
      return unscheduled(rec);
  }
}

/** Periods whose first day lies in [from, to], in order. */
export function periodsStartingBetween(rec: ScheduledRecurrence, from: LocalDate, to: LocalDate): Period[] {
  const start = parseLocalDate(from, '起始日期');
  const end = parseLocalDate(to, '结束日期');
  if (from > to) throw new UsageError(`日期范围无效: 起始日期 ${from} 晚于结束日期 ${to}`);
  const periods: Period[] = [];
  if (rec.kind === 'seasonal') {
    for (let year = start.year; year <= end.year; year += 1) {
      const window = seasonalPeriod(rec, year);
      if (from <= window.start && window.start <= to) periods.push(window);
    }
    return periods;
  }
  let period = periodContaining(rec, from);
  while (period && period.start <= to) {
    if (period.start >= from) periods.push(period);
    period = periodContaining(rec, plusDays(period.end, 1));
  }
  return periods;
}

/** The expected label shape, in Chinese, for error messages and CLI help. */
export function labelFormat(rec: ScheduledRecurrence): string {
  switch (rec.kind) {
    case 'monthly':
      return 'YYYY-MM(如 2026-03)';
    case 'quarterly':
      return 'YYYY-Qn,n 为 1–4(如 2026-Q1)';
    case 'half-yearly':
      return 'YYYY-Hn,n 为 1 或 2(如 2026-H1)';
    case 'yearly':
      return 'YYYY(如 2026)';
    case 'seasonal':
      return `YYYY-${rec.season},年份为该时段开始的年份(如 2026-${rec.season})`;
    default:
      return unscheduled(rec);
  }
}

const KIND_NAMES: Record<string, string> = {
  monthly: '按月',
  quarterly: '按季度',
  'half-yearly': '按半年',
  yearly: '按年',
  seasonal: '季节性',
};

function monthSpan(year: number, firstMonth: number, months: number, label: string): Period {
  const start = DateTime.fromObject({ year, month: firstMonth, day: 1 }, { zone: ZONE });
  return { label, start: toLocalDate(start), end: toLocalDate(start.plus({ months }).minus({ days: 1 })) };
}

/** The seasonal window that starts in `year`; month windows are inclusive, term windows end the day before the end term. */
export function seasonalPeriod(rec: Extract<ScheduledRecurrence, { kind: 'seasonal' }>, year: number): Period {
  if (typeof rec.season !== 'string' || !/^[A-Za-z0-9_\u4e00-\u9fff-]+$/.test(rec.season)) {
    throw new UsageError(`季节名称无效: ${JSON.stringify(rec.season)},只能含字母、数字、汉字、- 或 _(如 spring)`);
  }
  const label = `${year}-${rec.season}`;
  const window: SeasonWindow = rec.window;
  if ('fromMonth' in window) {
    const { fromMonth, toMonth } = window;
    for (const month of [fromMonth, toMonth]) {
      if (!Number.isInteger(month) || month < 1 || month > 12) {
        throw new UsageError(`季节 ${rec.season} 的月份无效: ${JSON.stringify(month)},应为 1–12 的整数`);
      }
    }
    const span = ((toMonth - fromMonth + 12) % 12) + 1;
    return monthSpan(year, fromMonth, span, label);
  }
  assertSolarTerm(window.fromTerm);
  assertSolarTerm(window.toTerm);
  const endYear = termOrder(window.toTerm) > termOrder(window.fromTerm) ? year : year + 1;
  return {
    label,
    start: solarTermDate(window.fromTerm, year),
    end: plusDays(solarTermDate(window.toTerm, endYear), -1),
  };
}

function unscheduled(rec: { kind: string }): never {
  throw new UsageError(`周期类型 ${JSON.stringify(rec.kind)} 没有固定日历(由事件触发的职责不按周期排期)`);
}
