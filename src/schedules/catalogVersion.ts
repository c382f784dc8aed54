import { baseTerms, dutyForPeriod, versionsInForce } from '../calendar';
import type { CatalogVersion, Duty, LocalDate } from '../shared/types';
import { fingerprint } from './spec';

/**
 * Which catalog version a task opened under. The fingerprint is taken of the duty's terms for the period, so the same
 * terms give the same fingerprint whichever apply wrote them, and `duty apply` can record it before any task opens.
 */

/** The version a period beginning on `start` is planned under. */
export function catalogVersionFor(duty: Duty, start: LocalDate): CatalogVersion {
  const effectiveFrom = versionsInForce(duty, start).at(-1)?.effectiveFrom;
  return { fingerprint: fingerprint(dutyForPeriod(duty, { start })), ...(effectiveFrom ? { effectiveFrom } : {}) };
}

/** Every version of a duty, its own fields first: what `duty apply` writes to the audit trail. */
export function catalogVersionsOf(duty: Duty): CatalogVersion[] {
  return [{ fingerprint: fingerprint(baseTerms(duty)) }, ...(duty.versions ?? []).map((v) => catalogVersionFor(duty, v.effectiveFrom))];
}
