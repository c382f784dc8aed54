/** The `monitoringLifecycle` workflow's contract (识别帮扶流程): type name, id, input, state and query. */
import { defineQuery } from '@temporalio/workflow';
import type { RoundEntry } from '../shared/household';
import type { LocalDate } from '../shared/types';

export const LIFECYCLE_WORKFLOW_TYPE = 'monitoringLifecycle';

export function lifecycleWorkflowId(householdId: string, startedOn: LocalDate): string {
  return `lifecycle:${householdId}:${startedOn}`;
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

export const lifecycleStateQuery = defineQuery<LifecycleState>('lifecycle');

/** What `duty migrate` carries to another installation: the stages as they stand and the round under way. */
export interface LifecycleCarry {
  state: LifecycleState;
  round: number;
  startOn: LocalDate;
  fromPhase?: string;
  clearedBy: string;
}

export const lifecycleHandoverQuery = defineQuery<{ input: LifecycleInput; carry: LifecycleCarry }>('handover');
