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

export const HOUSEHOLD_WORKFLOW_TYPE = 'household';
export const REVISIT_WORKFLOW_TYPE = 'revisitProgramme';
export const LIFECYCLE_WORKFLOW_TYPE = 'monitoringLifecycle';
export const REVISIT_DUTY_ID = 'post-clearance-revisit';
export const LIFECYCLE_DUTY_ID = 'monitoring-lifecycle';

/** Household ids become parts of workflow ids and visibility queries, so they are plain ASCII. */
export const HOUSEHOLD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export function householdWorkflowId(householdId: string): string {
  return `household:${householdId}`;
}

/** One programme per household and clearance date: starting it twice finds the first. */
export function revisitWorkflowId(householdId: string, clearedOn: LocalDate): string {
  return `revisit:${householdId}:${clearedOn}`;
}

export function lifecycleWorkflowId(householdId: string, startedOn: LocalDate): string {
  return `lifecycle:${householdId}:${startedOn}`;
}

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

export interface HouseholdState {
  record: HouseholdRecord;
  /** Fingerprint of the record, so an import can skip unchanged rows without reading the record. */
  digest: string;
  status: HouseholdStatus;
  episodes: EpisodeRef[];
  events: HouseholdEvent[];
}

export interface HouseholdInput {
  record: HouseholdRecord;
  digest: string;
  /** Fingerprint of the ID number, kept in the (encrypted) memo to find one person registered twice. */
  idTag: string;
  by: string;
  /** The village's place in the roster, for the search attributes when a household moves. */
  place?: { unitPath: string[]; township?: string };
}

export interface HouseholdMemo {
  digest: string;
  idTag: string;
}

/** What a dutyTask tells its parent when it closes. */
export interface TaskClosedEvent {
  taskId: string;
  status: 'done' | 'waived';
  at: IsoInstant;
  by: string;
  fields?: Record<string, FieldValue>;
  note?: string;
  reason?: string;
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

export interface RevisitProgrammeInput {
  householdId: string;
  villageId: string;
  clearedOn: LocalDate;
  /** The household workflow, told when the risk returns and when the programme ends. */
  parent: string;
}

export interface RevisitProgrammeState {
  programmeId: string;
  householdId: string;
  villageId: string;
  clearedOn: LocalDate;
  status: 'running' | 'finished' | 'cancelled';
  cancellation?: { on: LocalDate; reason: string; by: string };
  revisits: RoundEntry[];
}

export interface LifecycleInput {
  householdId: string;
  villageId: string;
  startedOn: LocalDate;
  parent: string;
}

export interface LifecycleState {
  lifecycleId: string;
  householdId: string;
  villageId: string;
  startedOn: LocalDate;
  status: 'running' | 'cleared' | 'withdrawn';
  clearedOn?: LocalDate;
  stages: RoundEntry[];
}

/** Sent by a programme or lifecycle to its household. */
export type EpisodeEvent =
  | { kind: 'risk-returned'; workflowId: string; on: LocalDate; by: string }
  | { kind: 'ended'; workflowId: string; status: EpisodeRef['status']; on: LocalDate }
  | { kind: 'cleared'; workflowId: string; on: LocalDate; by: string };

export interface DatedRequest {
  on: LocalDate;
  by: string;
}

/** The Asia/Shanghai calendar date of an instant; China keeps UTC+8 all year, so no zone database is needed here. */
export function shanghaiDate(ms: number): LocalDate {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}
