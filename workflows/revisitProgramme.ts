import { condition, getExternalWorkflowHandle, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import { REVISIT_DUTY_ID } from '../src/shared/household';
import { shanghaiDate } from '../src/shared/zone';
import { type HeldCopy, isHeld } from '../src/contracts/migration';
import { cancelProgrammeSignal, type RevisitCarry, revisitHandoverQuery, type RevisitProgrammeInput, type RevisitProgrammeState, revisitStateQuery, RISK_RETURNED_REASON } from '../src/contracts/revisitProgramme';
import { taskClosedSignal, type TaskInput } from '../src/contracts/dutyTask';
import { episodeEventSignal } from '../src/contracts/household';
import { closeRound, entryOf, isClosed, watchDeadline } from './rounds';
import { handlersFinished, nowIso, setStatus, signalQuietly, released } from './support';

// Planning and opening are quick calls to the calendar and the server: local activities keep them off the task
// queue and out of the event count, which matters when an import starts thousands of programmes at once.
const { planHouseholdTasks, openHouseholdTask } = proxyLocalActivities<activities.Activities>({ startToCloseTimeout: '1 minute' });
const { waiveTasks } = proxyActivities<activities.Activities>({ startToCloseTimeout: '5 minutes' });


/**
 * 风险消除后一年内每季度"回头看": four revisit tasks for one household and clearance date, each opening at its
 * quarter and owned by the village's cadres (the dutyTask does the reminding and escalating). The tasks are started
 * through an activity rather than as child workflows, and report back by signal when they close.
 * A revisit that finds the risk returned, or the household saying so, cancels the rest.
 */
export async function revisitProgramme(input: RevisitProgrammeInput, carry?: RevisitCarry | HeldCopy): Promise<RevisitProgrammeState> {
  if (isHeld(carry)) return revisitProgramme(input, await released<RevisitCarry>(carry));
  const programmeId = workflowInfo().workflowId;
  const state: RevisitProgrammeState = carry?.state ?? {
    programmeId,
    householdId: input.householdId,
    villageId: input.villageId,
    clearedOn: input.clearedOn,
    status: 'running',
    revisits: [],
  };
  let riskReturnedByRevisit = carry?.riskReturnedByRevisit ?? false;

  setHandler(revisitStateQuery, () => state);
  setHandler(revisitHandoverQuery, () => ({ input, carry: { state, riskReturnedByRevisit } }));
  setHandler(cancelProgrammeSignal, (req) => {
    state.cancellation ??= { on: req.on, reason: req.reason, by: req.by };
  });
  setHandler(taskClosedSignal, (event) => {
    const entry = state.revisits.find((r) => r.taskId === event.taskId);
    if (!entry) return;
    closeRound(entry, event, state.cancellation !== undefined);
    if (event.status === 'done' && event.fields?.riskReturned === true && !state.cancellation) {
      riskReturnedByRevisit = true;
      state.cancellation = { on: shanghaiDate(Date.parse(event.at)), reason: `${RISK_RETURNED_REASON}(第${entry.round}次回头看发现)`, by: event.by };
    }
  });

  const tasks: TaskInput[] = await planHouseholdTasks({
    dutyId: REVISIT_DUTY_ID,
    householdId: input.householdId,
    villageId: input.villageId,
    startOn: input.clearedOn,
    parent: programmeId,
  });
  // Carried from another installation (duty migrate): rounds already opened there are not opened again.
  if (!carry) state.revisits = tasks.map((t, i) => entryOf(t, i + 1));
  const watches: Promise<void>[] = [];

  for (const [i, task] of tasks.entries()) {
    const entry = carry ? state.revisits.find((r) => r.taskId === task.taskId) : state.revisits[i];
    if (!entry) break;
    if (entry.status !== 'pending') {
      if (entry.status === 'open') watches.push(watchDeadline(entry));
      continue;
    }
    const wait = Date.parse(task.occurrence.opensAt) - Date.now();
    if (wait > 0) await condition(() => state.cancellation !== undefined, wait);
    if (state.cancellation) break;
    await openHouseholdTask(task);
    // A task completed the moment it opened may already have reported.
    entry.openedAt = nowIso();
    if (entry.status === 'pending') {
      entry.status = 'open';
      watches.push(watchDeadline(entry));
    }
  }

  await condition(() => state.cancellation !== undefined || state.revisits.every(isClosed));

  if (state.cancellation) {
    const open = state.revisits.filter((r) => r.status === 'open' || r.status === 'overdue');
    if (open.length > 0) {
      await waiveTasks({ taskIds: open.map((r) => r.taskId), by: programmeId, reason: state.cancellation.reason });
    }
    for (const r of state.revisits) {
      if (!isClosed(r)) Object.assign(r, { status: 'cancelled', reason: state.cancellation.reason });
    }
    setStatus(state, 'cancelled');
  } else {
    setStatus(state, 'finished');
  }
  await Promise.all(watches);

  const household = getExternalWorkflowHandle(input.parent);
  const today = shanghaiDate(Date.now());
  await signalQuietly(async () => {
    if (riskReturnedByRevisit && state.cancellation) {
      await household.signal(episodeEventSignal, { kind: 'risk-returned', workflowId: programmeId, on: state.cancellation.on, by: state.cancellation.by });
    }
    await household.signal(episodeEventSignal, { kind: 'ended', workflowId: programmeId, status: state.status === 'cancelled' ? 'cancelled' : 'finished', on: today });
  });
  await handlersFinished();
  return state;
}
