/** The `dutyCycle` workflow's contract: the schedule that starts it, type name, ids, input and result. */
import type { Duty } from '../shared/types';

export const CYCLE_WORKFLOW_TYPE = 'dutyCycle';
/** Every schedule this project owns starts with it; `duty apply` touches no other. */
export const SCHEDULE_PREFIX = 'duty:';

export function scheduleId(dutyId: string): string {
  return `${SCHEDULE_PREFIX}${dutyId}`;
}

export function cycleWorkflowId(dutyId: string, period?: string): string {
  return period ? `cycle:${dutyId}:${period}` : `cycle:${dutyId}`;
}

export interface DutyCycleInput {
  duty: Duty;
  /** Given for a manual run of one period; schedule runs derive it from their scheduled time. */
  period?: string;
}

export interface DutyCycleResult {
  dutyId: string;
  period: string;
  opened: string[];
  alreadyOpen: string[];
}

/** The workflow's signature, for typed starts without importing the workflow file. */
export type DutyCycleWorkflow = (input: DutyCycleInput) => Promise<DutyCycleResult>;
