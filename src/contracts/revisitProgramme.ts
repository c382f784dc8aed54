/** The `revisitProgramme` workflow's contract (风险消除后一年内每季度回头看): type name, id, input, state, query and signal. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RoundEntry } from '../shared/household';
import type { LocalDate } from '../shared/types';

export const REVISIT_WORKFLOW_TYPE = 'revisitProgramme';

/** One programme per household and clearance date: starting it twice finds the first. */
export function revisitWorkflowId(householdId: string, clearedOn: LocalDate): string {
  return `revisit:${householdId}:${clearedOn}`;
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

/** The reason recorded on the revisits a returned risk cancels. */
export const RISK_RETURNED_REASON = '风险返回';

/** Household → programme: the risk returned, stop the remaining revisits. */
export const cancelProgrammeSignal = defineSignal<[{ on: string; reason: string; by: string }]>('cancelProgramme');
export const revisitStateQuery = defineQuery<RevisitProgrammeState>('revisits');

/** What `duty migrate` carries to another installation: the rounds as they stand. */
export interface RevisitCarry {
  state: RevisitProgrammeState;
  riskReturnedByRevisit: boolean;
}

export const revisitHandoverQuery = defineQuery<{ input: RevisitProgrammeInput; carry: RevisitCarry }>('handover');
