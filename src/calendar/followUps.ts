import { UsageError } from '../errors';
import type { EscalationPolicy, FollowUp, IsoInstant, LocalTime } from '../shared/types';
import { assertLocalTime, atLocalTime, instantMillis, parseInstant, toInstant, toLocalDate } from './dates';
import type { WorkCalendar } from './workdays';

export interface FollowUpArgs {
  dueAt: IsoInstant;
  policy: EscalationPolicy;
  sendAt: LocalTime;
  /** Only events strictly after this instant; callers page through the stream with the last `at` they saw. */
  after?: IsoInstant;
  limit: number;
}

interface Planned extends FollowUp {
  ms: number;
}

/**
 * The notifications after a deadline, ascending and at distinct instants (so paging by `after` never skips one):
 * the overdue notice at the deadline, each escalation level at `sendAt` on its working day, and repeats every
 * `repeatEveryWorkingDays` working days counted from the deadline day, carrying the level then in force.
 */
export function planFollowUps(args: FollowUpArgs, cal: WorkCalendar): FollowUp[] {
  const { policy, sendAt, limit } = args;
  assertLocalTime(sendAt, '催办发送时间 sendAt');
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`limit 无效: ${JSON.stringify(limit)},应为非负整数`);
  validatePolicy(policy);
  const due = parseInstant(args.dueAt, '截止时刻 dueAt');
  const dueDate = toLocalDate(due);
  const afterMs = args.after === undefined ? -Infinity : parseInstant(args.after, '起点时刻 after').toMillis();

  const out: FollowUp[] = [];
  const emit = (event: Planned): void => {
    if (event.ms > afterMs && out.length < limit) out.push({ at: event.at, kind: event.kind, level: event.level });
  };
  const escalationAt = (workingDays: number, level: number): Planned => {
    const instant = atLocalTime(cal.addWorkingDays(dueDate, workingDays).date, sendAt);
    return { at: instant, ms: instantMillis(instant), kind: 'escalation', level };
  };

  // Levels due zero working days after the deadline are in force at the deadline itself; the overdue notice carries
  // the highest of them instead of a separate event at the same instant.
  let level = 0;
  policy.levels.forEach((l, i) => {
    if (l.afterWorkingDays === 0) level = i + 1;
  });
  emit({ at: toInstant(due), ms: due.toMillis(), kind: 'overdue', level });

  const escalations = escalationDays(policy).map(([days, k]) => escalationAt(days, k));
  let next = 0;
  let repeatDay = dueDate;
  while (out.length < limit) {
    let repeat: Planned | undefined;
    if (policy.repeatEveryWorkingDays > 0) {
      // Stepping from the previous repeat keeps a long-overdue stream linear rather than recounting from the deadline.
      repeatDay = cal.addWorkingDays(repeatDay, policy.repeatEveryWorkingDays).date;
      const instant = atLocalTime(repeatDay, sendAt);
      repeat = { at: instant, ms: instantMillis(instant), kind: 'repeat', level: 0 };
    }
    let clash = false;
    for (let e = escalations[next]; e && (!repeat || e.ms <= repeat.ms); e = escalations[++next]) {
      level = e.level;
      emit(e);
      clash ||= e.ms === repeat?.ms;
    }
    if (!repeat) break;
    if (!clash) emit({ ...repeat, level });
  }
  return out;
}

/** [working days, level] per distinct day count > 0; levels sharing a day count collapse into the highest. */
function escalationDays(policy: EscalationPolicy): [number, number][] {
  const byDays = new Map<number, number>();
  policy.levels.forEach((l, i) => {
    if (l.afterWorkingDays > 0) byDays.set(l.afterWorkingDays, i + 1);
  });
  return [...byDays.entries()];
}

function validatePolicy(policy: EscalationPolicy): void {
  const repeat = policy.repeatEveryWorkingDays;
  if (!Number.isInteger(repeat) || repeat < 0) {
    throw new UsageError(`repeatEveryWorkingDays 无效: ${JSON.stringify(repeat)},应为非负整数(0 表示不重复催办)`);
  }
  let previous = 0;
  policy.levels.forEach((l, i) => {
    const days = l.afterWorkingDays;
    if (!Number.isInteger(days) || days < 0) {
      throw new UsageError(`levels[${i}].afterWorkingDays 无效: ${JSON.stringify(days)},应为非负整数`);
    }
    // Out-of-order levels would make the level in force go down over time.
    if (days < previous) {
      throw new UsageError(`levels[${i}].afterWorkingDays=${days} 小于上一级的 ${previous},各级应按工作日数递增`);
    }
    previous = days;
  });
}
