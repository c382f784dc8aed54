import { DateTime } from 'luxon';
import { baseTerms, dutyForPeriod, periodsStartingBetween } from '../calendar';
import { VERSIONED_FIELDS, type Duty, type LocalDate, type Period, type Recurrence, type ShiftPolicy, type VersionedField } from '../shared/types';

/** An effective-dated version as `duty plan` and `duty preview` show it: what it changes and the first period it reaches. */
export interface VersionChange {
  dutyId: string;
  effectiveFrom: LocalDate;
  /** The first period beginning on or after the date; absent for an event-triggered duty (a programme takes the version of its event's day). */
  firstPeriod?: Period;
  /** That period has begun: the tasks it opened keep the terms they opened with. */
  firstPeriodBegun: boolean;
  fields: { field: VersionedField; before: string; after: string }[];
}

const SHIFT_NAMES: Record<ShiftPolicy, string> = { 'next-working-day': '顺延至下一工作日', 'previous-working-day': '提前至上一工作日', none: '不调整' };
const LONGEST = 60;

/** A term in a few words: the common ones in Chinese, the rest as compact JSON cut to one line. */
function termText(field: VersionedField, duty: Duty): string {
  const value = duty[field];
  if (value === undefined) return '(无)';
  if (field === 'deadline') return 'day' in duty.deadline ? `周期第 ${duty.deadline.day} 天` : '周期最后一天';
  if (field === 'opens') return 'daysBeforeDue' in duty.opens ? `截止前 ${duty.opens.daysBeforeDue} 天开启` : '周期开始时开启';
  if (field === 'shift') return SHIFT_NAMES[duty.shift];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > LONGEST ? `${text.slice(0, LONGEST - 1)}…` : text;
}

function firstPeriodFrom(recurrence: Recurrence, date: LocalDate): Period | undefined {
  if (recurrence.kind === 'triggered') return undefined;
  // Every recurrence has a period beginning within a year of any date.
  const to = DateTime.fromISO(date).plus({ years: 1 }).toISODate() ?? date;
  return periodsStartingBetween(recurrence, date, to)[0];
}

/** Each version of the duty against the terms just before it. */
export function versionChanges(duty: Duty, today: LocalDate): VersionChange[] {
  let before = baseTerms(duty);
  return (duty.versions ?? []).map((version) => {
    const after = dutyForPeriod(duty, { start: version.effectiveFrom });
    const fields = VERSIONED_FIELDS.filter((f) => version[f] !== undefined).map((field) => ({ field, before: termText(field, before), after: termText(field, after) }));
    before = after;
    const firstPeriod = firstPeriodFrom(duty.recurrence, version.effectiveFrom);
    return { dutyId: duty.id, effectiveFrom: version.effectiveFrom, ...(firstPeriod ? { firstPeriod } : {}), firstPeriodBegun: firstPeriod !== undefined && firstPeriod.start <= today, fields };
  });
}

/** One version in a sentence, for the CLI. */
export function versionText(v: VersionChange): string {
  const changes = v.fields.map((f) => `${f.field}: ${f.before} → ${f.after}`).join(';');
  const first = v.firstPeriod
    ? `首个适用周期 ${v.firstPeriod.label}(${v.firstPeriod.start} 开始)${v.firstPeriodBegun ? ',该周期已开始:已开启的任务保持原条款' : ''}`
    : '该日及以后发生的事件按新条款开启';
  return `自 ${v.effectiveFrom} 起 ${changes};${first}`;
}
