import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { currentPeriod, type WorkCalendar } from '../calendar';
import { CYCLE_WORKFLOW_TYPE, cycleWorkflowId, type DutyCycleWorkflow } from '../contracts/dutyCycle';
import { SA } from '../shared/searchAttributes';
import type { Duty, ScheduledRecurrence } from '../shared/types';

/** What applying (or resuming) a duty does to the period it falls in. */
export interface Onboarding {
  dutyId: string;
  period: string;
  periodStart: string;
  /** `open`: opened at once; `missed`: its deadline passed before the duty was applied, so it stays closed. */
  action: 'open' | 'missed';
  lastDueAt: string;
}

/**
 * A schedule fires when a period begins, so one created mid-period would skip the period under way. Its current
 * period opens at once when its deadline is still ahead; one whose deadline has passed is reported instead.
 */
export function onboardingFor(duties: readonly Duty[], now: Date, cal: WorkCalendar): Onboarding[] {
  return duties.flatMap((duty): Onboarding[] => {
    if (duty.recurrence.kind === 'triggered') return [];
    const current = currentPeriod(duty as Duty & { recurrence: ScheduledRecurrence }, now.toISOString(), cal);
    if (current.state === 'none') return [];
    return [{ dutyId: duty.id, period: current.period.label, periodStart: current.period.start, action: current.state, lastDueAt: current.lastDueAt }];
  });
}

/**
 * Starts the period's cycle under `cycle:<duty>:<period>`: a second apply, a resume or a retry finds it started and
 * opens nothing more (and the task ids would refuse a second task anyway).
 */
export async function openPeriodNow(client: Client, duty: Duty, period: string, taskQueue: string): Promise<'opened' | 'exists'> {
  try {
    await client.workflow.start<DutyCycleWorkflow>(CYCLE_WORKFLOW_TYPE, {
      workflowId: cycleWorkflowId(duty.id, period),
      taskQueue,
      args: [{ duty, period }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      memo: { dutyTitle: duty.title },
      staticSummary: `${duty.title}:应用时本期已开始,立即开启 ${period}`,
      typedSearchAttributes: [{ key: SA.dutyId, value: duty.id }],
    });
    return 'opened';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'exists';
    throw err;
  }
}

/** What applying or resuming did, or would do, to the period under way, in one sentence with the command to use. */
export function onboardingText(o: Onboarding): string {
  return o.action === 'open'
    ? `本期 ${o.period} 已开始且未到截止,应用时立即开启(只开启一次)。`
    : `本期 ${o.period} 未开启:应用该职责时截止时间已过;如需补开: npm run duty -- backfill ${o.dutyId} --from ${o.periodStart} --to ${o.periodStart}`;
}
