import { type CalendarSpec, type Client, MONTHS, ScheduleAlreadyRunning, ScheduleNotFoundError, type ScheduleSpec } from '@temporalio/client';
import { DateTime } from 'luxon';
import { type WorkCalendar } from '../calendar';
import { OWNER_MEMO } from './owner';
import { fingerprint } from './spec';
import { ZONE } from '../shared/zone';
import { DIGEST_SCHEDULE_ID, DIGEST_WORKFLOW_TYPE } from '../contracts/digest';
import { digestConfigFromEnv, type DigestConfig } from '../config';
import { loadWorkCalendar } from '../sources/holidays';

/** Years of holiday data written into the spec; every `apply` rewrites it, and the workflow re-checks the day. */
const YEARS_AHEAD = 2;

/**
 * Temporal calendars know weekdays, not China's holidays: fire Monday–Friday, add each make-up working weekend
 * day (调休上班日) and skip each weekday holiday, from the project's calendar for this year and the next.
 */
export function digestScheduleSpec(calendar: WorkCalendar, at: string, fromYear: number, years = YEARS_AHEAD): ScheduleSpec {
  const [hour = 8, minute = 30] = at.split(':').map(Number);
  const calendars: CalendarSpec[] = [{ dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour, minute, comment: '工作日' }];
  const skip: CalendarSpec[] = [];
  for (let year = fromYear; year < fromYear + years; year++) {
    for (let m = 1; m <= 12; m++) {
      const month = MONTHS[m - 1] ?? 'JANUARY';
      const off: number[] = [];
      let day = DateTime.fromObject({ year, month: m, day: 1 }, { zone: ZONE });
      for (; day.month === m; day = day.plus({ days: 1 })) {
        const workday = calendar.isWorkday(day.toISODate() ?? '');
        if (day.weekday <= 5 && !workday) off.push(day.day);
        if (day.weekday > 5 && workday) calendars.push({ year, month, dayOfMonth: day.day, hour, minute, comment: `调休上班 ${day.toISODate()}` });
      }
      // A skip matches to the second like a calendar does, so it names the same hour and minute.
      if (off.length) skip.push({ year, month, dayOfMonth: ranges(off), hour, minute, comment: `节假日 ${year}-${m}` });
    }
  }
  return { calendars, skip, timezone: ZONE };
}

function ranges(days: number[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last && last.end === d - 1) last.end = d;
    else out.push({ start: d, end: d });
  }
  return out;
}

export interface DigestScheduleOptions {
  taskQueue: string;
  calendar?: WorkCalendar;
  config?: DigestConfig;
  now?: Date;
}

/**
 * Creates or refreshes the `digest:daily` schedule; `duty apply` and `npm start` call it. A paused schedule stays
 * paused. Returns what it did.
 */
export async function ensureDigestSchedule(client: Client, opts: DigestScheduleOptions): Promise<'create' | 'update' | 'unchanged'> {
  const calendar = opts.calendar ?? loadWorkCalendar();
  const config = opts.config ?? digestConfigFromEnv();
  const year = DateTime.fromJSDate(opts.now ?? new Date(), { zone: ZONE }).year;
  const spec = digestScheduleSpec(calendar, config.at, year);
  const print = fingerprint({ spec, taskQueue: opts.taskQueue, type: DIGEST_WORKFLOW_TYPE });
  const action = {
    type: 'startWorkflow' as const,
    workflowType: DIGEST_WORKFLOW_TYPE,
    workflowId: DIGEST_SCHEDULE_ID,
    taskQueue: opts.taskQueue,
    args: [],
    memo: { fingerprint: print },
    staticSummary: '每日待办汇总:向选择汇总提醒的人员各发一条消息',
  };
  const handle = client.schedule.getHandle(DIGEST_SCHEDULE_ID);
  const existing = await handle.describe().catch((err: unknown) => {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  });
  if (!existing) {
    try {
      await client.schedule.create({
        scheduleId: DIGEST_SCHEDULE_ID,
        spec,
        action,
        // A digest hours late is noise: the next working day's lists everything again.
        policies: { catchupWindow: '2 hours' },
        // Same owner memo as the duty schedules, though reconciliation of `duty:*` never touches this one.
        memo: { ...OWNER_MEMO },
        state: { note: `每日待办汇总,工作日 ${config.at} 发送` },
      });
      return 'create';
    } catch (err) {
      // Another `apply` created it in between.
      if (err instanceof ScheduleAlreadyRunning) return 'unchanged';
      throw err;
    }
  }
  if (existing.action.type === 'startWorkflow' && existing.action.memo?.fingerprint === print) return 'unchanged';
  await handle.update((prev) => ({ ...prev, spec, action }));
  return 'update';
}
