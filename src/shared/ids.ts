/** Business ids double as workflow ids, so a retry, a trigger or a backfill can never create a second task. */

export const TASK_WORKFLOW_TYPE = 'dutyTask';
export const CYCLE_WORKFLOW_TYPE = 'dutyCycle';
export const SCHEDULE_PREFIX = 'duty:';

export function scheduleId(dutyId: string): string {
  return `${SCHEDULE_PREFIX}${dutyId}`;
}

export function cycleWorkflowId(dutyId: string, period?: string): string {
  return period ? `cycle:${dutyId}:${period}` : `cycle:${dutyId}`;
}

/** `task:monthly-data-import:2026-03:dept-edu`, with the phase before the owner when the duty has phases. */
export function taskWorkflowId(dutyId: string, period: string, owner: string, phase?: string): string {
  return ['task', dutyId, period, ...(phase ? [phase] : []), owner].join(':');
}

/** Deterministic per task, kind and sequence number, so a retried send is recognisably the same message. */
export function notificationId(taskId: string, kind: string, seq: number): string {
  return `${taskId}/${kind}-${seq}`;
}
