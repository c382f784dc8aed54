import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Actor } from '../audit/log';
import { previewDuty, type WorkCalendar } from '../calendar';
import { UsageError, ValidationError } from '../errors';
import { onboardingFor, openPeriodNow, type Onboarding } from '../schedules/onboarding';
import { applySchedules, planSchedules, type PlannedChange } from '../schedules/reconcile';
import { scheduleId } from '../contracts/dutyCycle';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { SA } from '../shared/searchAttributes';
import { visibilityQuery } from '../tasks/visibilityQuery';
import type { Duty, Occurrence } from '../shared/types';
import { applyRosterChange, planRosterChange } from './taskSteps';
import type { RosterMove } from '../tasks/rosterMoves';
import { recordAudit, type ServiceContext } from './context';
import { plannedVersions, recordCatalogVersions } from './catalogVersions';
import { checkCloser, closeRetiredTasks, type CloseOpenTasks, retiredOpenTasks, type RetiredTask } from './retire';
import type { VersionChange } from '../catalog/versions';
import { loadWorkCalendar } from '../sources/holidays';
import { ZONE } from '../shared/zone';

/**
 * The longest date range a preview or a backfill may span, for every face (API, page, CLI): from `from` through the
 * day before its third anniversary. A preview costs about 15 ms of CPU per year of a monthly duty; 500 years held the
 * server's event loop for 10 s.
 */
export const MAX_RANGE_YEARS = 3;

/** The Chinese refusal of a range longer than MAX_RANGE_YEARS, naming `to`; undefined when the range is allowed. */
export function rangeTooLong(from: string, to: string): string | undefined {
  const start = DateTime.fromISO(from, { zone: ZONE });
  const end = DateTime.fromISO(to, { zone: ZONE });
  const last = start.plus({ years: MAX_RANGE_YEARS }).minus({ days: 1 });
  if (!start.isValid || !end.isValid || end <= last) return undefined;
  return `结束日期(to)超出范围:日期范围最长 ${MAX_RANGE_YEARS} 年,开始日期(from)为 ${from} 时 to 最晚为 ${last.toISODate()}`;
}

/** Refuses a reversed or over-long range before any work, each problem naming its parameter. */
export function checkDateRange(from: string, to: string): void {
  if (from > to) throw new ValidationError('日期范围', [{ path: 'from', value: from, message: '开始日期(from)不能晚于结束日期(to)' }]);
  const tooLong = rangeTooLong(from, to);
  if (tooLong) throw new ValidationError('日期范围', [{ path: 'to', value: to, message: tooLong }]);
}

/**
 * Calendar work for requests runs one slice at a time across the whole process, each slice started from a fresh turn
 * of the event loop (setImmediate after the previous slice ended): ten previews at once take turns a quarter at a time,
 * and a sign-in page or any other request is served between two slices instead of after all of them.
 */
class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(slice: () => T): Promise<T> {
    const result = this.tail.then(
      () =>
        new Promise<T>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(slice());
            } catch (err) {
              reject(err);
            }
          }),
        ),
    );
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const calendarTurns = new Turns();

const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'];

/**
 * [from, to] cut at quarter ends (a slice of a monthly duty is about 4 ms of CPU): the periods starting in the slices
 * are exactly the periods starting in the whole range, since each period is found by its first day.
 */
function quarterSlices(from: string, to: string): [string, string][] {
  const slices: [string, string][] = [];
  let start = from;
  while (start <= to) {
    const year = start.slice(0, 4);
    const end = `${year}-${QUARTER_ENDS[Math.floor((Number(start.slice(5, 7)) - 1) / 3)]}`;
    slices.push([start, end < to ? end : to]);
    if (end >= to) break;
    start = end.endsWith('12-31') ? `${String(Number(year) + 1).padStart(4, '0')}-01-01` : `${year}-${String(Number(end.slice(5, 7)) + 1).padStart(2, '0')}-01`;
  }
  return slices;
}

export interface DutyStatus {
  duty: Duty;
  /** `event`: started by an event, has no schedule. */
  state: 'running' | 'paused' | 'unapplied' | 'event';
  note?: string;
  nextActionTimes: Date[];
  /** The period under way was never opened: its deadline had passed when the schedule was created. */
  notOpened?: Onboarding;
}

/** Each duty's schedule as Temporal sees it; a schedule that cannot be described counts as not applied. */
export async function dutyStatuses(ctx: ServiceContext): Promise<DutyStatus[]> {
  const { duties } = await ctx.catalog();
  const client = await ctx.temporal();
  const calendar = loadWorkCalendar();
  return Promise.all(
    duties.map(async (duty): Promise<DutyStatus> => {
      if (duty.recurrence.kind === 'triggered') return { duty, state: 'event', nextActionTimes: [] };
      const d = await client.schedule
        .getHandle(scheduleId(duty.id))
        .describe()
        .catch(() => undefined);
      if (!d) return { duty, state: 'unapplied', nextActionTimes: [] };
      const notOpened = await missedAtApply(client, duty, d.info.createdAt, calendar);
      return { duty, state: d.state.paused ? 'paused' : 'running', note: d.state.note, nextActionTimes: d.info.nextActionTimes, ...(notOpened ? { notOpened } : {}) };
    }),
  );
}

/** The current period, when its deadline passed before the schedule existed and no task of it was ever opened. */
async function missedAtApply(client: Client, duty: Duty, createdAt: Date, calendar: WorkCalendar): Promise<Onboarding | undefined> {
  const current = onboardingFor([duty], new Date(), calendar)[0];
  if (current?.action !== 'missed') return undefined;
  if (createdAt.getTime() <= DateTime.fromISO(current.periodStart, { zone: ZONE }).toMillis()) return undefined;
  const query = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.dutyId, duty.id).eq(SA.period, current.period).build();
  return (await client.workflow.count(query)).count === 0 ? current : undefined;
}

/** Refers to a duty's schedule only after checking the duty exists in the catalog, so a typo names the duty, not a schedule id. */
async function scheduleOf(ctx: ServiceContext, dutyId: string): Promise<ReturnType<Client['schedule']['getHandle']>> {
  await ctx.duty(dutyId);
  const handle = (await ctx.temporal()).schedule.getHandle(scheduleId(dutyId));
  await handle.describe();
  return handle;
}

async function record(ctx: ServiceContext, actor: Actor, action: 'duty.pause' | 'duty.resume' | 'duty.trigger' | 'duty.backfill', dutyId: string, detail?: Record<string, unknown>): Promise<void> {
  await recordAudit(ctx, { actor: actor.id, via: actor.via, action, target: dutyId, ...(detail ? { detail } : {}) });
}

export async function pauseDuty(ctx: ServiceContext, actor: Actor, dutyId: string, reason: string): Promise<string> {
  const why = reason.trim();
  if (!why) throw new UsageError('--reason 不能为空');
  await (await scheduleOf(ctx, dutyId)).pause(`暂停原因: ${why}`);
  await record(ctx, actor, 'duty.pause', dutyId, { reason: why });
  return why;
}

/**
 * A paused schedule skipped the period that began meanwhile: resuming opens it when its deadline is still ahead
 * (once: the cycle and task ids refuse a second), and says so.
 */
export async function resumeDuty(ctx: ServiceContext, actor: Actor, dutyId: string): Promise<Onboarding | undefined> {
  await (await scheduleOf(ctx, dutyId)).unpause('已恢复');
  const duty = await ctx.duty(dutyId);
  const current = onboardingFor([duty], new Date(), loadWorkCalendar())[0];
  if (current?.action === 'open') await openPeriodNow(await ctx.temporal(), duty, current.period, ctx.settings.taskQueue);
  await record(ctx, actor, 'duty.resume', dutyId, current ? { period: current.period, [current.action === 'open' ? 'opened' : 'missed']: true } : undefined);
  return current;
}

/** Opens the current period now; the task ids make a second trigger harmless. */
export async function triggerDuty(ctx: ServiceContext, actor: Actor, dutyId: string): Promise<void> {
  await (await scheduleOf(ctx, dutyId)).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  await record(ctx, actor, 'duty.trigger', dutyId);
}

export async function backfillDuty(ctx: ServiceContext, actor: Actor, dutyId: string, from: string, to: string): Promise<void> {
  if (from > to) throw new UsageError(`--from (${from}) 不能晚于 --to (${to})`);
  // Every missed period becomes a cycle workflow: the same three-year bound as a preview.
  checkDateRange(from, to);
  const handle = await scheduleOf(ctx, dutyId);
  const start = DateTime.fromISO(from, { zone: ZONE }).startOf('day').toJSDate();
  const end = DateTime.fromISO(to, { zone: ZONE }).endOf('day').toJSDate();
  await handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL });
  await record(ctx, actor, 'duty.backfill', dutyId, { from, to });
}

/** Every occurrence in [from, to] (at most MAX_RANGE_YEARS), computed a quarter at a time in turn with other requests. */
export async function previewOccurrences(ctx: ServiceContext, dutyId: string, from: string, to: string, calendar?: WorkCalendar): Promise<{ duty: Duty; occurrences: Occurrence[] }> {
  checkDateRange(from, to);
  const duty = await ctx.duty(dutyId);
  const cal = calendar ?? loadWorkCalendar();
  const occurrences: Occurrence[] = [];
  for (const [a, b] of quarterSlices(from, to)) occurrences.push(...(await calendarTurns.run(() => previewDuty(duty, a, b, cal))));
  return { duty, occurrences };
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

/**
 * Schedules to create, update or delete; for each new schedule, what happens to the period under way (opened at
 * once, or reported as missed); open tasks that would pass to someone else after a roster change; the effective-dated
 * versions of the duties whose schedules change; and the open tasks of duties no longer in the catalog.
 */
export interface CatalogPlan {
  changes: PlannedChange[];
  onboarding: Onboarding[];
  rosterMoves: RosterMove[];
  versions: VersionChange[];
  retired: RetiredTask[];
}

function today(): string {
  return DateTime.now().setZone(ZONE).toISODate() ?? '';
}

/** Only a schedule created now skips the period under way; an existing one opened it when the period began. */
function onboardingOf(duties: Duty[], changes: PlannedChange[]): Onboarding[] {
  const created = new Set(changes.filter((c) => c.kind === 'create').map((c) => c.dutyId));
  return onboardingFor(duties.filter((d) => created.has(d.id)), new Date(), loadWorkCalendar());
}

export async function planCatalog(ctx: ServiceContext, dir?: string): Promise<CatalogPlan> {
  const catalog = await ctx.catalog(dir);
  const changes = await planSchedules(await ctx.temporal(), catalog.duties, ctx.settings.taskQueue);
  return {
    changes,
    onboarding: onboardingOf(catalog.duties, changes),
    rosterMoves: await planRosterChange(ctx, dir),
    versions: plannedVersions(catalog.duties, changes, today()),
    retired: await retiredOpenTasks(ctx, catalog.duties),
  };
}

/**
 * `close`: waive the open tasks of duties no longer in the catalog (`--close-open-tasks`); without it they run on.
 * `openUnderWay: false` leaves the periods under way closed, for a test bench that opens the periods it needs.
 */
export async function applyCatalog(ctx: ServiceContext, actor: Actor, dir: string | undefined, dryRun: boolean, close?: CloseOpenTasks, { openUnderWay = true } = {}): Promise<CatalogPlan> {
  const catalog = await ctx.catalog(dir);
  if (close) await checkCloser(ctx, close, dir);
  const client = await ctx.temporal();
  const changes = await planSchedules(client, catalog.duties, ctx.settings.taskQueue);
  const onboarding = onboardingOf(catalog.duties, changes);
  const versions = plannedVersions(catalog.duties, changes, today());
  const open = await retiredOpenTasks(ctx, catalog.duties);
  if (dryRun) return { changes, onboarding, rosterMoves: await planRosterChange(ctx, dir), versions, retired: open.map((t) => ({ ...t, outcome: close ? 'to-close' : 'kept' })) };
  await applySchedules(client, catalog.duties, ctx.settings.taskQueue, changes);
  await recordCatalogVersions(ctx, actor, catalog.duties, changes);
  for (const o of onboarding.filter((x) => x.action === 'open' && openUnderWay)) {
    const duty = catalog.duties.find((d) => d.id === o.dutyId);
    if (duty) await openPeriodNow(client, duty, o.period, ctx.settings.taskQueue);
  }
  const { moved, stranded } = await applyRosterChange(ctx, dir);
  const retired = close ? await closeRetiredTasks(ctx, actor, close, open) : open;
  const count = (k: PlannedChange['kind']) => changes.filter((c) => c.kind === k).length;
  await recordAudit(ctx, {
    actor: actor.id,
    via: actor.via,
    action: 'catalog.apply',
    target: dir ?? ctx.settings.catalogDir,
    detail: {
      create: count('create'),
      update: count('update'),
      delete: count('delete'),
      unchanged: count('unchanged'),
      opened: onboarding.filter((o) => o.action === 'open').map((o) => `${o.dutyId}:${o.period}`),
      tasksMoved: moved.length,
      ...(close ? { tasksClosed: retired.filter((t) => t.outcome === 'waived').length } : {}),
    },
  });
  return { changes, onboarding, rosterMoves: [...moved, ...stranded], versions, retired };
}
