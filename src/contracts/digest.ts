/** The `dailyDigest` and `personDigest` workflows' contract: schedule id, type names, child ids, input and results. */
import type { IsoInstant, LocalDate } from '../shared/types';

export const DIGEST_SCHEDULE_ID = 'digest:daily';
export const DIGEST_WORKFLOW_TYPE = 'dailyDigest';
export const PERSON_DIGEST_WORKFLOW_TYPE = 'personDigest';

/** One per person and day: it is the child workflow id and the message id, so a second run that day sends nothing. */
export function digestId(personId: string, date: LocalDate): string {
  return `digest:${personId}:${date}`;
}

/** One task as a digest lists it: ids and titles from visibility, nothing personal. */
export interface DigestItem {
  taskId: string;
  dutyTitle: string;
  phaseTitle?: string;
  period: string;
  unitId: string;
  dueOn: LocalDate;
  dueAt: IsoInstant;
  overdue: boolean;
  escalationLevel: number;
  provisional: boolean;
}

export interface DigestRequest {
  digestId: string;
  personId: string;
  date: LocalDate;
  items: DigestItem[];
}

export interface DigestPlan {
  date: LocalDate;
  workday: boolean;
  digests: DigestRequest[];
}

export interface DigestDelivery {
  digestId: string;
  personId: string;
  channel: string;
  /** `stale`: the day had passed before it could be sent (worker down, quiet hours); the next digest lists it all. */
  /** `duplicate`: that day's digest for the person was already sent, or is still being sent, by an earlier run. */
  result: 'sent' | 'failed' | 'no-contact' | 'stale' | 'duplicate';
  items: number;
  detail?: string;
}

export interface DailyDigestResult {
  date: string;
  workday: boolean;
  deliveries: DigestDelivery[];
}
