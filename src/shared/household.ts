/**
 * Monitored households (监测对象) and the workflows that follow them. Sandbox-safe: workflows import it.
 * A record carries the head of household's name and ID-card number; they travel only inside encrypted payloads
 * of the `household:<id>` workflow and are shown masked everywhere else.
 */
import type { FieldValue } from './completion';
import type { IsoInstant, LocalDate } from './types';

export const MONITORING_TYPES = ['脱贫不稳定户', '边缘易致贫户', '突发严重困难户'] as const;
export type MonitoringType = (typeof MONITORING_TYPES)[number];

export interface HouseholdRecord {
  householdId: string;
  headName: string;
  idNumber: string;
  villageId: string;
  monitoringType: MonitoringType;
  riskTypes: string[];
  identifiedOn: LocalDate;
  riskClearedOn?: LocalDate;
}

export const REVISIT_DUTY_ID = 'post-clearance-revisit';
export const LIFECYCLE_DUTY_ID = 'monitoring-lifecycle';

/** Household ids become parts of workflow ids and visibility queries, so they are plain ASCII. */
export const HOUSEHOLD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/** 监测帮扶中 / 风险已消除·回头看中 / 回头看已结束. */
export type HouseholdStatus = 'monitored' | 'revisiting' | 'stable';

export interface EpisodeRef {
  kind: 'revisit' | 'lifecycle';
  workflowId: string;
  startedOn: LocalDate;
  status: 'running' | 'finished' | 'cancelled' | 'expired' | 'cleared' | 'withdrawn';
  endedOn?: LocalDate;
}

export interface HouseholdEvent {
  at: IsoInstant;
  actor: string;
  action: 'registered' | 'updated' | 'cleared' | 'risk-returned' | 'risk-found' | 'programme' | 'lifecycle';
  detail?: string;
}

export interface HouseholdMemo {
  digest: string;
  idTag: string;
}

export type RoundStatus = 'pending' | 'open' | 'overdue' | 'done' | 'late' | 'waived' | 'cancelled';

/** One task of a programme or a lifecycle, as its parent sees it. */
export interface RoundEntry {
  /** Revisit number (1…4), or the lifecycle round. */
  round: number;
  phase: string;
  title: string;
  taskId: string;
  unitId: string;
  opensAt: IsoInstant;
  dueOn: LocalDate;
  dueAt: IsoInstant;
  status: RoundStatus;
  /** When its task was actually opened (a lifecycle stage opens when the previous one closes). */
  openedAt?: IsoInstant;
  closedAt?: IsoInstant;
  by?: string;
  fields?: Record<string, FieldValue>;
  note?: string;
  reason?: string;
}
