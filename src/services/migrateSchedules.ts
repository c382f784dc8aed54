import type { Client, ScheduleDescription } from '@temporalio/client';
import { type DutyCycleInput, SCHEDULE_PREFIX } from '../contracts/dutyCycle';
import { applySchedules, planSchedules } from '../schedules/reconcile';

export interface ScheduleState {
  paused: boolean;
  note?: string;
}

/** The source's duty schedules as they are now: the duty each runs, paused or not, and why. */
export async function sourceSchedules(source: Client): Promise<Map<string, ScheduleDescription>> {
  const found = new Map<string, ScheduleDescription>();
  for await (const s of source.schedule.list()) {
    if (s.scheduleId.startsWith(SCHEDULE_PREFIX)) found.set(s.scheduleId, await source.schedule.getHandle(s.scheduleId).describe());
  }
  return found;
}

/**
 * The target gets the duties the source's schedules run (not whatever the catalog folder says now), through the same
 * reconcile `duty apply` uses, so a second run changes nothing; then each takes the source's pause state and note.
 */
export async function copySchedules(target: Client, taskQueue: string, schedules: Map<string, ScheduleDescription>, states: Map<string, ScheduleState>): Promise<void> {
  const duties = [...schedules.values()].flatMap((d) => (d.action.type === 'startWorkflow' ? [(d.action.args?.[0] as DutyCycleInput).duty] : []));
  await applySchedules(target, duties, taskQueue, await planSchedules(target, duties, taskQueue));
  for (const [id, state] of states) await setState(target, id, state);
}

export async function setState(client: Client, scheduleId: string, want: ScheduleState): Promise<void> {
  const handle = client.schedule.getHandle(scheduleId);
  const have = (await handle.describe()).state;
  if (want.paused && (!have.paused || have.note !== want.note)) await handle.pause(want.note);
  else if (!want.paused && have.paused) await handle.unpause('迁移:与源安装一致');
}

/** Target schedules that exist and are paused exactly when the source's are. */
export async function countMatching(target: Client, schedules: Map<string, ScheduleDescription>, states: Map<string, ScheduleState>): Promise<number> {
  let n = 0;
  for (const id of schedules.keys()) {
    const have = await target.schedule
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (have && have.state.paused === states.get(id)?.paused) n += 1;
  }
  return n;
}
