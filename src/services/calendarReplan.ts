import { createRequire } from 'node:module';
import type { Actor } from '../audit/log';
import { periodByLabel, planOccurrences, type WorkCalendar } from '../calendar';
import { TASK_WORKFLOW_TYPE, replanTaskUpdate, type TaskState, taskStateQuery } from '../contracts/dutyTask';
import { SA } from '../shared/searchAttributes';
import type { DeadlinePlan, Duty } from '../shared/types';
import { loadWorkCalendar } from '../sources/holidays';
import { visibilityQuery } from '../tasks/visibilityQuery';
import { recordAudit, type ServiceContext } from './context';

/**
 * New holiday data (the State Council's notice for next year, an updated `chinese-days`) reaches the tasks whose
 * deadlines were planned without it: each open provisional task is planned again with the real working days.
 */

export interface Replanned {
  taskId: string;
  fromDueOn: string;
  toDueOn: string;
}

export interface ReplanOutcome {
  /** Deadlines that moved: their assignees are told once. */
  moved: Replanned[];
  /** Same deadline, now certain: reminders follow the real working days, nobody is told. */
  confirmed: Replanned[];
  /** Still without data for their year, set by a person (an approved extension), or waiting for review. */
  untouched: string[];
}

const REASON = '节假日安排公布';

/** Open tasks still marked provisional, as the dashboard and `duty calendar status` list them. */
export function provisionalTaskQuery(): string {
  return visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).running().is(SA.provisional, true).build();
}

/** The task's deadline planned again with `calendar`, when that calendar now has the data its year lacked. */
function newPlan(duty: Duty, state: TaskState, calendar: WorkCalendar): DeadlinePlan | undefined {
  if (duty.recurrence.kind === 'triggered') return undefined;
  const period = periodByLabel(duty.recurrence, state.period);
  const occurrence = period ? planOccurrences(duty, period, calendar).find((o) => o.phase === state.phase) : undefined;
  if (!occurrence || occurrence.provisional) return undefined;
  return { dueOn: occurrence.dueOn, dueAt: occurrence.dueAt, reminders: occurrence.reminders, provisional: false };
}

/**
 * Re-plans every open provisional task the holiday data now covers. The file is read first: a refused file throws
 * before anything changes. `dryRun` says what would happen.
 */
export async function replanProvisional(ctx: ServiceContext, actor: Actor, dryRun = false): Promise<ReplanOutcome> {
  const calendar = loadWorkCalendar();
  const client = await ctx.temporal();
  const duties = new Map((await ctx.catalog()).duties.map((d) => [d.id, d]));
  const outcome: ReplanOutcome = { moved: [], confirmed: [], untouched: [] };
  for await (const info of client.workflow.list({ query: provisionalTaskQuery() })) {
    const handle = client.workflow.getHandle(info.workflowId);
    const state = await handle.query(taskStateQuery);
    const duty = duties.get(state.dutyId);
    const plan = duty && !(state.extension?.granted ?? 0) && state.status !== 'review' ? newPlan(duty, state, calendar) : undefined;
    if (!plan) {
      outcome.untouched.push(state.taskId);
      continue;
    }
    const entry = { taskId: state.taskId, fromDueOn: state.dueOn, toDueOn: plan.dueOn };
    if (!dryRun) await handle.executeUpdate(replanTaskUpdate, { args: [{ by: 'system', reason: REASON, plan }] });
    (plan.dueAt === state.dueAt ? outcome.confirmed : outcome.moved).push(entry);
  }
  if (!dryRun && outcome.moved.length + outcome.confirmed.length > 0) {
    await recordAudit(ctx, {
      actor: actor.id,
      via: actor.via,
      action: 'calendar.replan',
      target: 'holidays',
      detail: { moved: outcome.moved.map((m) => `${m.taskId}:${m.fromDueOn}→${m.toDueOn}`), confirmed: outcome.confirmed.length },
    });
  }
  return outcome;
}

export interface CalendarStatus {
  /** Consecutive years with data from one source, as ranges: `2004–2026 chinese-days`, `2027 data/holidays.json`. */
  years: { from: number; to: number; source: string }[];
  /** The version of the holiday package the engine runs with. */
  packageVersion: string;
  provisionalTasks: { taskId: string; dueOn: string }[];
}

export async function calendarStatus(ctx: ServiceContext): Promise<CalendarStatus> {
  const client = await ctx.temporal();
  const provisionalTasks: CalendarStatus['provisionalTasks'] = [];
  for await (const info of client.workflow.list({ query: provisionalTaskQuery() })) {
    provisionalTasks.push({ taskId: info.workflowId, dueOn: String((info.memo as { dueOn?: string } | undefined)?.dueOn ?? '') });
  }
  const packageJson = createRequire(__filename)('chinese-days/package.json') as { version: string };
  return { years: yearRanges(loadWorkCalendar().coverage()), packageVersion: packageJson.version, provisionalTasks };
}

function yearRanges(years: { year: number; source: string }[]): CalendarStatus['years'] {
  const runs: CalendarStatus['years'] = [];
  for (const { year, source } of years) {
    const last = runs.at(-1);
    if (last && last.source === source && last.to === year - 1) last.to = year;
    else runs.push({ from: year, to: year, source });
  }
  return runs;
}
