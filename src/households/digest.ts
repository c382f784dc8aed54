import { createHash } from 'node:crypto';
import type { HouseholdRecord } from '../shared/household';

/**
 * Fingerprints kept in the household workflow's memo (which the codec encrypts like any payload): the record's,
 * so a re-import sends only changed rows, and the ID number's, to find one person registered under two households.
 */
export function recordDigest(r: HouseholdRecord): string {
  const canonical = [r.householdId, r.headName, r.idNumber, r.villageId, r.monitoringType, r.riskTypes.join('|'), r.identifiedOn, r.riskClearedOn ?? ''];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}

export function idTag(idNumber: string): string {
  return createHash('sha256').update(`id:${idNumber.toUpperCase()}`).digest('hex').slice(0, 32);
}
