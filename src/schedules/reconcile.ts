import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { SA } from '../shared/searchAttributes';
import { CYCLE_WORKFLOW_TYPE, cycleWorkflowId, SCHEDULE_PREFIX, scheduleId, type DutyCycleWorkflow } from '../contracts/dutyCycle';
import type { Duty, ScheduledRecurrence } from '../shared/types';
import { ensureDigestSchedule } from './digestSchedule';
import { isOwned, OWNER_MEMO } from './owner';
import { fingerprint, scheduleSpecFor } from './spec';

export type ChangeKind = 'create' | 'update' | 'delete' | 'unchanged';

export interface PlannedChange {
  kind: ChangeKind;
  scheduleId: string;
  dutyId: string;
  title?: string;
  fingerprint?: string;
}

interface DesiredSchedule {
  duty: Duty & { recurrence: ScheduledRecurrence };
  fingerprint: string;
}

function isScheduled(duty: Duty): duty is Duty & { recurrence: ScheduledRecurrence } {
  return duty.recurrence.kind !== 'triggered';
}

function desired(duties: Duty[], taskQueue: string): Map<string, DesiredSchedule> {
  const map = new Map<string, DesiredSchedule>();
  for (const duty of duties.filter(isScheduled)) {
    map.set(scheduleId(duty.id), { duty, fingerprint: fingerprint({ duty, spec: scheduleSpecFor(duty), taskQueue }) });
  }
  return map;
}

function action(d: DesiredSchedule, taskQueue: string): ScheduleOptionsStartWorkflowAction<DutyCycleWorkflow> {
  return {
    type: 'startWorkflow',
    workflowType: CYCLE_WORKFLOW_TYPE,
    workflowId: cycleWorkflowId(d.duty.id),
    taskQueue,
    args: [{ duty: d.duty }],
    memo: { dutyTitle: d.duty.title, fingerprint: d.fingerprint },
    staticSummary: `${d.duty.title}:开启新周期并分派任务`,
    typedSearchAttributes: [{ key: SA.dutyId, value: d.duty.id }],
  };
}

/** Only schedules this project created are ever touched: by id prefix and by the owner memo. */
async function ownedSchedules(client: Client): Promise<Map<string, ScheduleDescription>> {
  const owned = new Map<string, ScheduleDescription>();
  for await (const summary of client.schedule.list()) {
    if (!summary.scheduleId.startsWith(SCHEDULE_PREFIX)) continue;
    const description = await client.schedule.getHandle(summary.scheduleId).describe();
    if (isOwned(description.memo)) owned.set(summary.scheduleId, description);
  }
  return owned;
}

function currentFingerprint(d: ScheduleDescription): unknown {
  return d.action.type === 'startWorkflow' ? d.action.memo?.fingerprint : undefined;
}

export async function planSchedules(client: Client, duties: Duty[], taskQueue: string): Promise<PlannedChange[]> {
  const want = desired(duties, taskQueue);
  const have = await ownedSchedules(client);
  const changes: PlannedChange[] = [];
  for (const [id, d] of want) {
    const existing = have.get(id);
    const kind: ChangeKind = !existing ? 'create' : currentFingerprint(existing) === d.fingerprint ? 'unchanged' : 'update';
    changes.push({ kind, scheduleId: id, dutyId: d.duty.id, title: d.duty.title, fingerprint: d.fingerprint });
  }
  for (const id of have.keys()) {
    if (!want.has(id)) changes.push({ kind: 'delete', scheduleId: id, dutyId: id.slice(SCHEDULE_PREFIX.length) });
  }
  return changes;
}

/** Applies a plan made by `planSchedules`. A paused schedule stays paused, with its note, through an update. */
export async function applySchedules(client: Client, duties: Duty[], taskQueue: string, changes: PlannedChange[]): Promise<void> {
  const want = desired(duties, taskQueue);
  for (const change of changes) {
    const d = want.get(change.scheduleId);
    const handle = client.schedule.getHandle(change.scheduleId);
    if (change.kind === 'create' && d) {
      await client.schedule.create({
        scheduleId: change.scheduleId,
        spec: scheduleSpecFor(d.duty),
        action: action(d, taskQueue),
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '7 days' },
        memo: { ...OWNER_MEMO, dutyTitle: d.duty.title },
        state: { note: `${d.duty.title}(${d.duty.source})` },
      });
    } else if (change.kind === 'update' && d) {
      await handle.update((prev) => ({ ...prev, spec: scheduleSpecFor(d.duty), action: action(d, taskQueue) }));
    } else if (change.kind === 'delete') {
      await handle.delete().catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    }
  }
  // Not a duty, so not in the plan: the digest schedule is kept in step on every apply.
  await ensureDigestSchedule(client, { taskQueue });
}
