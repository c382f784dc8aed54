import { condition, getExternalWorkflowHandle, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import { LIFECYCLE_DUTY_ID, type RoundEntry } from '../src/shared/household';
import { shanghaiDate } from '../src/shared/zone';
import { type HeldCopy, isHeld } from '../src/contracts/migration';
import { type LifecycleCarry, lifecycleHandoverQuery, type LifecycleInput, type LifecycleState, lifecycleStateQuery } from '../src/contracts/monitoringLifecycle';
import { episodeEventSignal } from '../src/contracts/household';
import { taskClosedSignal } from '../src/contracts/dutyTask';
import { closeRound, entryOf, isClosed, watchDeadline } from './rounds';
import { handlersFinished, nowIso, setStatus, signalQuietly, released } from './support';

const { planHouseholdTasks, openHouseholdTask } = proxyLocalActivities<activities.Activities>({ startToCloseTimeout: '1 minute' });

/** A round that keeps failing its exit assessment is still one household's work; beyond this something is wrong. */
const MAX_ROUNDS = 20;

/**
 * 排查 → 比对 → 核实 → 认定 → 帮扶 → 退出 for one household episode: each stage is a dutyTask for its level
 * (village, township or bureau, from the catalog), and the next opens when the previous one closes. The exit
 * stage decides: risk cleared starts the revisit programme (through the household); not cleared goes back to
 * 帮扶 for another round. A waived stage withdraws the episode (e.g. the household was found not to qualify).
 */
export async function monitoringLifecycle(input: LifecycleInput, carry?: LifecycleCarry | HeldCopy): Promise<LifecycleState> {
  if (isHeld(carry)) return monitoringLifecycle(input, await released<LifecycleCarry>(carry));
  const lifecycleId = workflowInfo().workflowId;
  const state: LifecycleState = carry?.state ?? {
    lifecycleId,
    householdId: input.householdId,
    villageId: input.villageId,
    startedOn: input.startedOn,
    status: 'running',
    stages: [],
  };
  let clearedBy = carry?.clearedBy ?? '';

  setHandler(lifecycleStateQuery, () => state);
  setHandler(taskClosedSignal, (event) => {
    const entry = state.stages.find((s) => s.taskId === event.taskId);
    if (entry) closeRound(entry, event, false);
  });

  let round = carry?.round ?? 1;
  let startOn = carry?.startOn ?? input.startedOn;
  let fromPhase = carry?.fromPhase;
  // Carried from another installation (duty migrate): the round under way keeps the stages it has.
  let resumed = carry !== undefined;
  setHandler(lifecycleHandoverQuery, () => ({ input, carry: { state, round, startOn, ...(fromPhase ? { fromPhase } : {}), clearedBy } }));
  while (state.status === 'running' && round <= MAX_ROUNDS) {
    const tasks = await planHouseholdTasks({
      dutyId: LIFECYCLE_DUTY_ID,
      householdId: input.householdId,
      villageId: input.villageId,
      startOn,
      parent: lifecycleId,
      fromPhase,
      round,
    });
    const entries = resumed ? tasks.map((t) => state.stages.find((s) => s.taskId === t.taskId && s.round === round) ?? entryOf(t, round)) : tasks.map((t) => entryOf(t, round));
    state.stages.push(...entries.filter((e) => !state.stages.includes(e)));
    resumed = false;
    for (const [i, task] of tasks.entries()) {
      const entry = entries[i] as RoundEntry;
      if (entry.status === 'pending') {
        await openHouseholdTask(task);
        entry.openedAt = nowIso();
        if (entry.status === 'pending') entry.status = 'open';
      }
      await watchDeadline(entry);
      await condition(() => isClosed(entry));
      if (entry.status === 'waived') {
        state.status = 'withdrawn';
        break;
      }
      if (i < tasks.length - 1) continue;
      const closedOn = shanghaiDate(Date.parse(entry.closedAt ?? nowIso()));
      if (entry.fields?.riskCleared === true) {
        state.status = 'cleared';
        state.clearedOn = typeof entry.fields.clearedOn === 'string' ? entry.fields.clearedOn : closedOn;
        clearedBy = entry.by ?? 'system';
      } else {
        // Not cleared: assistance goes on, with deadlines counted from the day the exit was refused.
        fromPhase = tasks[tasks.length - 2]?.occurrence.phase;
        startOn = closedOn;
        round += 1;
      }
    }
  }
  for (const s of state.stages) if (s.status === 'pending') s.status = 'cancelled';
  setStatus(state, state.status === 'running' ? 'withdrawn' : state.status);

  const household = getExternalWorkflowHandle(input.parent);
  await signalQuietly(async () => {
    if (state.status === 'cleared' && state.clearedOn) {
      await household.signal(episodeEventSignal, { kind: 'cleared', workflowId: lifecycleId, on: state.clearedOn, by: clearedBy });
    }
    await household.signal(episodeEventSignal, { kind: 'ended', workflowId: lifecycleId, status: state.status, on: shanghaiDate(Date.now()) });
  });
  await handlersFinished();
  return state;
}
