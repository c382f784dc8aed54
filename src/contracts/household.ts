/** The `household` workflow's contract: type name, id, input, state, its updates and query, and the signal episodes send it. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EpisodeRef, HouseholdEvent, HouseholdRecord, HouseholdStatus } from '../shared/household';
import type { LocalDate } from '../shared/types';

export const HOUSEHOLD_WORKFLOW_TYPE = 'household';

export function householdWorkflowId(householdId: string): string {
  return `household:${householdId}`;
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

export interface HouseholdState {
  record: HouseholdRecord;
  /** Fingerprint of the record, so an import can skip unchanged rows without reading the record. */
  digest: string;
  status: HouseholdStatus;
  episodes: EpisodeRef[];
  events: HouseholdEvent[];
}

export interface DatedRequest {
  on: LocalDate;
  by: string;
}

/** Sent by a programme or lifecycle to its household. */
export type EpisodeEvent =
  | { kind: 'risk-returned'; workflowId: string; on: LocalDate; by: string }
  | { kind: 'ended'; workflowId: string; status: EpisodeRef['status']; on: LocalDate }
  | { kind: 'cleared'; workflowId: string; on: LocalDate; by: string };

/** Programme or lifecycle → household. */
export const episodeEventSignal = defineSignal<[EpisodeEvent]>('episodeEvent');

export const householdStateQuery = defineQuery<HouseholdState>('household');
export type UpsertResult = 'updated';
export const upsertHouseholdUpdate = defineUpdate<UpsertResult, [HouseholdInput]>('upsert');
/** 风险消除: starts the revisit programme for that date. */
export const clearRiskUpdate = defineUpdate<HouseholdState, [DatedRequest]>('clearRisk');
/** 风险返回 during the revisit year: cancels the remaining revisits and starts a new monitoring lifecycle. */
export const riskReturnedUpdate = defineUpdate<HouseholdState, [DatedRequest]>('riskReturned');
/** 发现风险 outside a revisit year: starts a monitoring lifecycle. */
export const riskFoundUpdate = defineUpdate<HouseholdState, [DatedRequest]>('riskFound');

/** A queued episode start, performed one at a time by the household's loop. */
export interface HouseholdAction {
  id: number;
  kind: 'start-revisit' | 'start-lifecycle';
  on: string;
  by: string;
  /** A revisit programme to cancel first (the risk returned during it). */
  cancel?: string;
}

export interface HouseholdCarry {
  state: HouseholdState;
  actions: HouseholdAction[];
  nextAction: number;
}

/** What `duty migrate` reads: the household's record and queue, to start it on another installation. */
export const householdHandoverQuery = defineQuery<{ input: HouseholdInput; carry: HouseholdCarry }>('handover');
