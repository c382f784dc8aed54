import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ApplicationFailure, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { DutyCycleInput, DutyCycleResult } from '../src/contracts/dutyCycle';

const { planCycle } = proxyActivities<activities.Activities>({ startToCloseTimeout: '1 minute' });
const { openTasks } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
});

/** Set by the server on every run a schedule starts, including backfills, which is what ties a run to its period. */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** One period of one duty: plan its deadlines (with the holiday data recorded in history), wait for opening, open one task per assignee. */
export async function dutyCycle(input: DutyCycleInput): Promise<DutyCycleResult> {
  if (input.duty.recurrence.kind === 'triggered') {
    throw ApplicationFailure.create({ type: 'NotScheduled', nonRetryable: true, message: `职责 ${input.duty.id} 由事件触发,没有周期` });
  }
  const at = workflowInfo().typedSearchAttributes.get(scheduledStartTime) ?? new Date(Date.now());
  const plan = await planCycle({ duty: input.duty, period: input.period, at: at.toISOString() });
  const wait = Date.parse(plan.opensAt) - Date.now();
  if (wait > 0) await sleep(wait);
  const result = await openTasks(plan.tasks);
  return { dutyId: input.duty.id, period: plan.period, ...result };
}
