import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Actor } from '../audit/log';
import { previewDuty, type WorkCalendar } from '../calendar';
import { UsageError } from '../errors';
import { applySchedules, planSchedules, type PlannedChange } from '../schedules/reconcile';
import { scheduleId } from '../contracts/dutyCycle';
import type { Duty, Occurrence } from '../shared/types';
import { auditLog, type ServiceContext } from './context';
import { loadWorkCalendar } from '../sources/holidays';
import { ZONE } from '../shared/zone';


export interface DutyStatus {
  duty: Duty;
  /** `event`: started by an event, has no schedule. */
  state: 'running' | 'paused' | 'unapplied' | 'event';
  note?: string;
  nextActionTimes: Date[];
}

/** Each duty's schedule as Temporal sees it; a schedule that cannot be described counts as not applied. */
export async function dutyStatuses(ctx: ServiceContext): Promise<DutyStatus[]> {
  const { duties } = await ctx.catalog();
  const client = await ctx.temporal();
  return Promise.all(
    duties.map(async (duty): Promise<DutyStatus> => {
      if (duty.recurrence.kind === 'triggered') return { duty, state: 'event', nextActionTimes: [] };
      const d = await client.schedule
        .getHandle(scheduleId(duty.id))
        .describe()
        .catch(() => undefined);
      if (!d) return { duty, state: 'unapplied', nextActionTimes: [] };
      return { duty, state: d.state.paused ? 'paused' : 'running', note: d.state.note, nextActionTimes: d.info.nextActionTimes };
    }),
  );
}

/** Refers to a duty's schedule only after checking the duty exists in the catalog, so a typo names the duty, not a schedule id. */
async function scheduleOf(ctx: ServiceContext, dutyId: string): Promise<ReturnType<Client['schedule']['getHandle']>> {
  await ctx.duty(dutyId);
  const handle = (await ctx.temporal()).schedule.getHandle(scheduleId(dutyId));
  await handle.describe();
  return handle;
}

function record(ctx: ServiceContext, actor: Actor, action: 'duty.pause' | 'duty.resume' | 'duty.trigger' | 'duty.backfill', dutyId: string, detail?: Record<string, unknown>): void {
  auditLog(ctx).record({ actor: actor.id, via: actor.via, action, target: dutyId, ...(detail ? { detail } : {}) });
}

export async function pauseDuty(ctx: ServiceContext, actor: Actor, dutyId: string, reason: string): Promise<string> {
  const why = reason.trim();
  if (!why) throw new UsageError('--reason 不能为空');
  await (await scheduleOf(ctx, dutyId)).pause(`暂停原因: ${why}`);
  record(ctx, actor, 'duty.pause', dutyId, { reason: why });
  return why;
}

export async function resumeDuty(ctx: ServiceContext, actor: Actor, dutyId: string): Promise<void> {
  await (await scheduleOf(ctx, dutyId)).unpause('已恢复');
  record(ctx, actor, 'duty.resume', dutyId);
}

/** Opens the current period now; the task ids make a second trigger harmless. */
export async function triggerDuty(ctx: ServiceContext, actor: Actor, dutyId: string): Promise<void> {
  await (await scheduleOf(ctx, dutyId)).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  record(ctx, actor, 'duty.trigger', dutyId);
}

export async function backfillDuty(ctx: ServiceContext, actor: Actor, dutyId: string, from: string, to: string): Promise<void> {
  if (from > to) throw new UsageError(`--from (${from}) 不能晚于 --to (${to})`);
  const handle = await scheduleOf(ctx, dutyId);
  const start = DateTime.fromISO(from, { zone: ZONE }).startOf('day').toJSDate();
  const end = DateTime.fromISO(to, { zone: ZONE }).endOf('day').toJSDate();
  await handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL });
  record(ctx, actor, 'duty.backfill', dutyId, { from, to });
}

export async function previewOccurrences(ctx: ServiceContext, dutyId: string, from: string, to: string, calendar?: WorkCalendar): Promise<{ duty: Duty; occurrences: Occurrence[] }> {
  const duty = await ctx.duty(dutyId);
  return { duty, occurrences: previewDuty(duty, from, to, calendar ?? loadWorkCalendar()) };
}

/** The next `count` deadlines on or after `today`, for the duty list; event duties have none. */
export function nextDeadlines(duty: Duty, today: string, calendar: WorkCalendar, count = 3): Occurrence[] {
  if (duty.recurrence.kind === 'triggered') return [];
  const t = DateTime.fromISO(today, { zone: ZONE });
  // Periods are found by their start, so look back far enough to catch a yearly period that is still running.
  const from = t.minus({ months: 13 }).toISODate() ?? today;
  const to = t.plus({ months: 13 }).toISODate() ?? today;
  return previewDuty(duty, from, to, calendar)
    .filter((o) => o.dueOn >= today)
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
    .slice(0, count);
}

export async function planCatalog(ctx: ServiceContext, dir?: string): Promise<{ changes: PlannedChange[] }> {
  const catalog = await ctx.catalog(dir);
  return { changes: await planSchedules(await ctx.temporal(), catalog.duties, ctx.settings.taskQueue) };
}

export async function applyCatalog(ctx: ServiceContext, actor: Actor, dir: string | undefined, dryRun: boolean): Promise<{ changes: PlannedChange[] }> {
  const catalog = await ctx.catalog(dir);
  const client = await ctx.temporal();
  const changes = await planSchedules(client, catalog.duties, ctx.settings.taskQueue);
  if (dryRun) return { changes };
  await applySchedules(client, catalog.duties, ctx.settings.taskQueue, changes);
  const count = (k: PlannedChange['kind']) => changes.filter((c) => c.kind === k).length;
  auditLog(ctx).record({
    actor: actor.id,
    via: actor.via,
    action: 'catalog.apply',
    target: dir ?? ctx.settings.catalogDir,
    detail: { create: count('create'), update: count('update'), delete: count('delete'), unchanged: count('unchanged') },
  });
  return { changes };
}
