import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  DatedRequest,
  EpisodeEvent,
  HouseholdInput,
  HouseholdState,
  LifecycleState,
  RevisitProgrammeState,
  TaskClosedEvent,
} from '../src/shared/household';

/** Clients import these from here, so the CLI and the workflows never disagree on names. */

/** dutyTask → its parent (programme or lifecycle). */
export const taskClosedSignal = defineSignal<[TaskClosedEvent]>('taskClosed');

/** Programme or lifecycle → household. */
export const episodeEventSignal = defineSignal<[EpisodeEvent]>('episodeEvent');

/** Household → programme: the risk returned, stop the remaining revisits. */
export const cancelProgrammeSignal = defineSignal<[{ on: string; reason: string; by: string }]>('cancelProgramme');

export const householdStateQuery = defineQuery<HouseholdState>('household');
export const revisitStateQuery = defineQuery<RevisitProgrammeState>('revisits');
export const lifecycleStateQuery = defineQuery<LifecycleState>('lifecycle');

export type UpsertResult = 'updated';
export const upsertHouseholdUpdate = defineUpdate<UpsertResult, [HouseholdInput]>('upsert');
/** 风险消除: starts the revisit programme for that date. */
export const clearRiskUpdate = defineUpdate<HouseholdState, [DatedRequest]>('clearRisk');
/** 风险返回 during the revisit year: cancels the remaining revisits and starts a new monitoring lifecycle. */
export const riskReturnedUpdate = defineUpdate<HouseholdState, [DatedRequest]>('riskReturned');
/** 发现风险 outside a revisit year: starts a monitoring lifecycle. */
export const riskFoundUpdate = defineUpdate<HouseholdState, [DatedRequest]>('riskFound');
