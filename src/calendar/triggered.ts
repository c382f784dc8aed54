import { UsageError } from '../errors';
import type { Duty, LocalDate, Occurrence, Period, Recurrence } from '../shared/types';
import { parseLocalDate, toLocalDate } from './dates';
import { planOccurrences } from './occurrences';
import type { WorkCalendar } from './workdays';

type Triggered = Extract<Recurrence, { kind: 'triggered' }>;

/**
 * The rounds of an event-triggered duty that fired on `start`: round k runs from start + (k−1)·N months to
 * start + k·N months (N = everyMonths), each month step counted from `start` itself so month ends do not drift
 * (a clearance on 31 January has its rounds end on 30 April, 31 July, 31 October, 31 January).
 */
export function triggeredRounds(recurrence: Triggered, start: LocalDate, label: string): Period[] {
  const from = parseLocalDate(start, '触发日期');
  return Array.from({ length: recurrence.count }, (_, i) => ({
    label,
    start: toLocalDate(from.plus({ months: i * recurrence.everyMonths })),
    end: toLocalDate(from.plus({ months: (i + 1) * recurrence.everyMonths })),
  }));
}

/** The last day any round of the duty could be due (before shifting): after it, starting the duty is pointless. */
export function triggeredHorizon(recurrence: Triggered, start: LocalDate): LocalDate {
  return toLocalDate(parseLocalDate(start, '触发日期').plus({ months: recurrence.count * recurrence.everyMonths }));
}

/**
 * Occurrences of a triggered duty: one per round (phase `r<k>`, "第k次…") for duties without phases, or the phases
 * of the single round for a phased duty. Deadlines, shifts and reminders come from the ordinary calendar code.
 */
export function planTriggered(duty: Duty, start: LocalDate, label: string, cal: WorkCalendar): Occurrence[] {
  if (duty.recurrence.kind !== 'triggered') throw new UsageError(`职责 ${duty.id} 不是事件触发的职责`);
  const rounds = triggeredRounds(duty.recurrence, start, label);
  if (duty.phases) return planOccurrences(duty, rounds[0] ?? { label, start, end: start }, cal);
  return rounds.flatMap((period, i) =>
    planOccurrences(duty, period, cal).map((o) => ({ ...o, phase: `r${i + 1}`, phaseTitle: `第${i + 1}次` })),
  );
}
