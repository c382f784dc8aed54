import type { Duty, DutyVersion, LocalDate, Period } from '../shared/types';

/**
 * Effective-dated catalog versions. A version belongs to the periods that open (begin) on or after its date, so a
 * period is planned under one set of terms from start to end, and a task keeps the terms its period opened with.
 */

/** The versions whose date is on or before `start`, in date order; each one's fields override those before it. */
export function versionsInForce(duty: Duty, start: LocalDate): DutyVersion[] {
  return (duty.versions ?? []).filter((v) => v.effectiveFrom <= start);
}

/** The duty without its versions: the terms before the first of them. */
export function baseTerms({ versions: _versions, ...base }: Duty): Duty {
  return base;
}

/** The duty as it applies to a period: its own fields overlaid by every version in force when the period begins. */
export function dutyForPeriod(duty: Duty, period: Pick<Period, 'start'>): Duty {
  if (!duty.versions) return duty;
  return versionsInForce(duty, period.start).reduce<Duty>((terms, { effectiveFrom: _from, ...fields }) => ({ ...terms, ...fields }), baseTerms(duty));
}
