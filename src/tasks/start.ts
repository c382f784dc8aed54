import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { type SearchAttributePair, WorkflowIdReusePolicy } from '@temporalio/common';
import { SA, type TaskFlag, type TaskStatus } from '../shared/searchAttributes';
import { TASK_WORKFLOW_TYPE, type TaskInput } from '../contracts/dutyTask';

/** Starts a task under its business id; an existing task with that id (open or closed) is left as it is. */
export async function startTask(client: Client, taskQueue: string, input: TaskInput): Promise<'opened' | 'exists'> {
  const o = input.occurrence;
  try {
    await client.workflow.start(TASK_WORKFLOW_TYPE, {
      workflowId: input.taskId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { dutyTitle: input.duty.title, phaseTitle: o.phaseTitle, dueOn: o.dueOn, ...(input.catalogVersion ? { catalogVersion: input.catalogVersion } : {}) },
      staticSummary: `${input.duty.title}${o.phaseTitle ? `·${o.phaseTitle}` : ''}(${o.period})· ${input.unitName} · 截止 ${o.dueOn}`,
      typedSearchAttributes: taskSearchAttributes(input),
    });
    return 'opened';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'exists';
    throw err;
  }
}

/** Where a newly opened task stands; a bench seeding tasks further along passes what the workflow would have published. */
export interface TaskStanding {
  status: TaskStatus;
  flags?: TaskFlag[];
  escalationLevel?: number;
}

/** The search attributes a task starts with: the lists, reports and dashboards filter on these. */
export function taskSearchAttributes(input: TaskInput, s: TaskStanding = { status: 'open', flags: ['unacknowledged'] }): SearchAttributePair[] {
  const o = input.occurrence;
  return [
    { key: SA.dutyId, value: input.duty.id },
    { key: SA.period, value: o.period },
    { key: SA.assignee, value: input.assignee.personId },
    { key: SA.unit, value: input.assignee.unitId },
    { key: SA.unitPath, value: input.unitPath },
    ...(input.township ? [{ key: SA.township, value: input.township }] : []),
    { key: SA.status, value: s.status },
    { key: SA.dueAt, value: new Date(o.dueAt) },
    { key: SA.escalationLevel, value: s.escalationLevel ?? 0 },
    { key: SA.provisional, value: o.provisional },
    { key: SA.flags, value: s.flags ?? [] },
  ];
}
