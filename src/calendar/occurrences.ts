import { CalendarError, UsageError } from '../errors';
import type { DeadlinePlan, DeadlineRule, Duty, IsoInstant, LocalDate, Occurrence, Period } from '../shared/types';
import { assertLocalTime, atLocalTime, instantMillis, maxDate, parseLocalDate, plusDays } from './dates';
import { dutyForPeriod } from './dutyVersions';
import { periodsStartingBetween } from './periods';
import type { WorkCalendar } from './workdays';

/** Tasks become visible at the start of the working day they open on. */
const OPENING_TIME = '08:00';

/**
 * One occurrence per period, or one per phase when the duty has phases (each with its own deadline), under the terms
 * of the catalog version in force when the period begins.
 */
export function planOccurrences(versioned: Duty, period: Period, cal: WorkCalendar): Occurrence[] {
  const duty = dutyForPeriod(versioned, period);
  parseLocalDate(period.start, '周期开始日期');
  parseLocalDate(period.end, '周期结束日期');
  assertLocalTime(duty.dueTime, `职责 ${duty.id} 的截止时间 dueTime`);
  assertLocalTime(duty.reminders.sendAt, `职责 ${duty.id} 的提醒时间 reminders.sendAt`);
  if (!duty.phases) return [planOne(duty, period, duty.deadline, cal)];
  return duty.phases.map((phase) => ({
    ...planOne(duty, period, phase.deadline, cal),
    phase: phase.id,
    phaseTitle: phase.title,
  }));
}

/** Every occurrence of the periods starting in [from, to], each period under its own version of the duty. */
export function previewDuty(duty: Duty, from: LocalDate, to: LocalDate, cal: WorkCalendar): Occurrence[] {
  if (duty.recurrence.kind === 'triggered') {
    throw new UsageError(
      `职责 ${duty.id} 由事件"${duty.recurrence.event}"触发,没有固定日历,无法按日期预览;请在事件发生时启动它`,
    );
  }
  const recurrence = duty.recurrence;
  return periodsStartingBetween(recurrence, from, to).flatMap((period) => planOccurrences(duty, period, cal));
}

export function nominalDueDate(rule: DeadlineRule, period: Period): LocalDate {
  if ('endOfPeriod' in rule && rule.endOfPeriod === true) return period.end;
  if ('day' in rule) {
    if (!Number.isInteger(rule.day) || rule.day < 1) {
      throw new UsageError(`截止日无效: 第 ${JSON.stringify(rule.day)} 天,应为从 1 开始的整数`);
    }
    const date = plusDays(period.start, rule.day - 1);
    if (date > period.end) {
      throw new CalendarError(
        `截止日超出周期: 周期 ${period.label}(${period.start} 至 ${period.end})没有第 ${rule.day} 天`,
      );
    }
    return date;
  }
  throw new UsageError(`截止规则无效: ${JSON.stringify(rule)},应为 {"day": N} 或 {"endOfPeriod": true}`);
}

function planOne(duty: Duty, period: Period, rule: DeadlineRule, cal: WorkCalendar): Occurrence {
  const nominalDueOn = nominalDueDate(rule, period);
  const shifted = cal.shift(nominalDueOn, duty.shift);
  const dueOn = shifted.date;
  const dueAt = atLocalTime(dueOn, duty.dueTime);
  const { opensOn, opensAt } = opening(duty, period, dueOn, dueAt);
  const plan = remindersFor(duty, dueOn, cal, opensAt);
  const provisional = shifted.provisional || cal.isProvisional(nominalDueOn) || plan.provisional;
  const reminders = plan.reminders;
  return {
    dutyId: duty.id,
    period: period.label,
    periodStart: period.start,
    periodEnd: period.end,
    opensOn,
    opensAt,
    nominalDueOn,
    dueOn,
    dueAt,
    reminders,
    provisional,
  };
}

/** Reminder instants for a deadline day, none before `notBefore`, and whether any of their days is provisional. */
function remindersFor(duty: Duty, dueOn: LocalDate, cal: WorkCalendar, notBefore: IsoInstant): { reminders: IsoInstant[]; provisional: boolean } {
  const reminderDates = reminderDays(duty, dueOn, cal);
  const earliest = instantMillis(notBefore);
  const reminders = [...new Set(reminderDates.map((r) => atLocalTime(r.date, duty.reminders.sendAt)))]
    .filter((at) => instantMillis(at) >= earliest)
    .sort((a, b) => instantMillis(a) - instantMillis(b));
  return { reminders, provisional: reminderDates.some((r) => r.provisional || cal.isProvisional(r.date)) };
}

/**
 * A new deadline set by a person (an approved extension, a return with a new date): the day must be a working day
 * unless the duty keeps deadlines where they fall (shift `none`); its time and reminders follow the duty's rules.
 */
export function planDeadline(duty: Duty, dueOn: LocalDate, cal: WorkCalendar, now: IsoInstant): DeadlinePlan {
  parseLocalDate(dueOn, '新的截止日期');
  if (duty.shift !== 'none' && !cal.isWorkday(dueOn)) {
    throw new CalendarError(`${dueOn} 不是工作日(节假日或休息日),职责 ${duty.id} 的截止日须为工作日,请另选日期`);
  }
  const dueAt = atLocalTime(dueOn, duty.dueTime);
  if (instantMillis(dueAt) <= instantMillis(now)) {
    throw new CalendarError(`新的截止时间 ${dueOn} ${duty.dueTime} 已经过去,请选择今天以后的日期`);
  }
  const plan = remindersFor(duty, dueOn, cal, now);
  return { dueOn, dueAt, reminders: plan.reminders, provisional: cal.isProvisional(dueOn) || plan.provisional };
}

function opening(duty: Duty, period: Period, dueOn: LocalDate, dueAt: IsoInstant): { opensOn: LocalDate; opensAt: IsoInstant } {
  let opensOn = period.start;
  if ('daysBeforeDue' in duty.opens) {
    const days = duty.opens.daysBeforeDue;
    if (!Number.isInteger(days) || days < 0) {
      throw new UsageError(`职责 ${duty.id} 的开放规则无效: daysBeforeDue=${JSON.stringify(days)},应为非负整数`);
    }
    opensOn = maxDate(plusDays(dueOn, -days), period.start);
  }
  const due = instantMillis(dueAt);
  // Fall back to the period start when 08:00 is already past the deadline; if even that is late (a deadline moved
  // before the period by previous-working-day), open at midnight of the earlier day so a task never opens overdue.
  const candidates: [LocalDate, string][] = [
    [opensOn, OPENING_TIME],
    [period.start, OPENING_TIME],
  ];
  for (const [date, time] of candidates) {
    const at = atLocalTime(date, time);
    if (instantMillis(at) <= due) return { opensOn: date, opensAt: at };
  }
  const earliest = period.start <= dueOn ? period.start : dueOn;
  return { opensOn: earliest, opensAt: atLocalTime(earliest, '00:00') };
}

function reminderDays(duty: Duty, dueOn: LocalDate, cal: WorkCalendar): { date: LocalDate; provisional: boolean }[] {
  const policy = duty.reminders;
  const days = policy.workingDaysBefore.map((n) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(`职责 ${duty.id} 的提醒规则无效: workingDaysBefore 含 ${JSON.stringify(n)},应为正整数`);
    }
    return cal.addWorkingDays(dueOn, -n);
  });
  // Reminders go out in working hours only; a deadline left on a day off (shift "none") gets no same-day reminder
  // unless the duty is urgent.
  const dueDayAllowed = duty.urgent === true || cal.isWorkday(dueOn);
  if (policy.onDueDay && policy.sendAt < duty.dueTime && dueDayAllowed) {
    days.push({ date: dueOn, provisional: cal.isProvisional(dueOn) });
  }
  return days;
}
