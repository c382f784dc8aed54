import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Actor } from '../audit/log';
import { OPERATOR } from '../auth/policy';
import { atLocalTime, deadlineAfterWindow, planDeadline, workingDaysIn, type WorkCalendar } from '../calendar';
import { liftSuspensionUpdate, replanTaskUpdate, suspendTaskUpdate, type Suspension } from '../contracts/dutyTask';
import { CalendarError, UsageError, ValidationError, type InputIssue } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { COMPLETION_LIMITS, parseLocalDate } from '../shared/completion';
import type { DeadlinePlan, Duty } from '../shared/types';
import { shanghaiDate, ZONE } from '../shared/zone';
import { loadWorkCalendar } from '../sources/holidays';
import { storeBackend } from '../store/backend';
import type { Emergency, EmergencyStore } from '../store/emergencies';
import { emergencyStoreOf } from '../store/records';
import type { TaskSummary } from '../tasks/query';
import { recordAudit, type ServiceContext } from './context';
import { findTasks, termsFor } from './tasks';

/**
 * Emergencies (seed 二十三: natural disasters, flood season on 洞庭湖). `suspend` stops reminders and escalation for
 * every open task under the given units during a window and moves deadlines inside it by the working days it covers;
 * `extend` gives matching tasks one new deadline; `lift` undoes either. Each writes one audit entry and an event on
 * every task it touches, and says how many tasks it touches before doing anything (`dryRun`).
 */

export interface EmergencyOutcome {
  emergency: Emergency;
  /** Tasks touched, and of those the ones whose deadline moves. */
  tasks: number;
  moved: number;
  dryRun: boolean;
}

export interface SuspendInput {
  units: string[];
  from: string;
  to: string;
  reason: string;
  dryRun?: boolean;
}

export interface ExtendInput {
  units: string[];
  dutyId: string;
  period: string;
  to: string;
  reason?: string;
  dryRun?: boolean;
}

const OPEN_WORK = ['open', 'overdue'] as const;

async function store(ctx: ServiceContext): Promise<EmergencyStore> {
  return emergencyStoreOf(await storeBackend(ctx.settings));
}

function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: ZONE }).plus({ days }).toISODate() ?? date;
}

/** Every problem of the units, dates and reason at once, each naming its option. */
function checkInput(tree: OrgTree, units: string[], dates: Record<string, string>, reason: string | undefined, reasonRequired: boolean): InputIssue[] {
  const issues: InputIssue[] = [];
  if (units.length === 0) issues.push({ path: 'units', message: '至少指定一个单位(--units t-a,t-b)' });
  for (const u of units) if (!tree.hasUnit(u)) issues.push({ path: 'units', value: u, message: '名册中没有此单位' });
  for (const [path, value] of Object.entries(dates)) if (!parseLocalDate(value)) issues.push({ path, value, message: '应为 YYYY-MM-DD 格式的有效日期' });
  const text = (reason ?? '').trim();
  if (reasonRequired && !text) issues.push({ path: 'reason', message: '原因不能为空' });
  if (text.length > COMPLETION_LIMITS.reasonLength) issues.push({ path: 'reason', message: `原因最多 ${COMPLETION_LIMITS.reasonLength} 字,收到 ${text.length} 字` });
  return issues;
}

/** Two unit lists overlap when a unit of one lies in the subtree of a unit of the other. */
function unitsOverlap(tree: OrgTree, a: string[], b: string[]): boolean {
  return a.some((x) => b.some((y) => tree.isInSubtree(x, y) || tree.isInSubtree(y, x)));
}

async function openTasksUnder(ctx: ServiceContext, units: string[], filter: { dutyId?: string; period?: string } = {}): Promise<TaskSummary[]> {
  const found = new Map<string, TaskSummary>();
  for (const unit of units) for (const t of await findTasks(ctx, OPERATOR, { unit, statuses: [...OPEN_WORK], ...filter })) found.set(t.taskId, t);
  return [...found.values()];
}

/** The deadline a task has now, with every reminder of it: what `lift` puts back. */
function planAsIs(duty: Duty, task: TaskSummary, cal: WorkCalendar): DeadlinePlan {
  try {
    return planDeadline(duty, task.dueOn, cal, new Date(0).toISOString());
  } catch {
    return { dueOn: task.dueOn, dueAt: task.dueAt.toISOString(), reminders: [], provisional: task.provisional };
  }
}

/** Updates every task; one closed meanwhile is simply not touched any more. */
async function updateEach(ctx: ServiceContext, taskIds: string[], send: (taskId: string) => Promise<unknown>): Promise<string[]> {
  const done: string[] = [];
  for (const taskId of taskIds) {
    try {
      await send(taskId);
      done.push(taskId);
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return done;
}

/** An emergency is numbered only when it is declared: a dry run takes no number. */
async function newId(ctx: ServiceContext, dryRun: boolean | undefined): Promise<string> {
  return dryRun ? '' : (await store(ctx)).nextId(shanghaiDate(Date.now()));
}

export async function suspendUnits(ctx: ServiceContext, actor: Actor, input: SuspendInput): Promise<EmergencyOutcome> {
  const tree = await ctx.tree();
  const units = [...new Set(input.units.map((u) => u.trim()).filter(Boolean))];
  const issues = checkInput(tree, units, { from: input.from, to: input.to }, input.reason, true);
  if (issues.length === 0 && input.to < input.from) issues.push({ path: 'to', value: input.to, message: `结束日期早于开始日期 ${input.from}` });
  if (issues.length === 0 && input.to < shanghaiDate(Date.now())) issues.push({ path: 'to', value: input.to, message: '暂停窗口已经结束,无需暂停' });
  const active = (await listEmergencies(ctx)).filter((e) => e.kind === 'suspend' && !e.liftedAt);
  const clash = issues.length === 0 ? active.find((e) => e.from! <= input.to && input.from <= e.to! && unitsOverlap(tree, units, e.units)) : undefined;
  if (clash) issues.push({ path: 'units', value: units.join(','), message: `与紧急情况 ${clash.id}(${clash.units.join(',')},${clash.from} 至 ${clash.to})的单位和时间重叠;请先撤销它或调整范围` });
  if (issues.length > 0) throw new ValidationError('紧急情况暂停', issues);

  const cal = loadWorkCalendar();
  const fromAt = atLocalTime(input.from, '00:00');
  const untilAt = atLocalTime(plusDays(input.to, 1), '00:00');
  const covered = workingDaysIn(input.from, input.to, cal);
  const reason = input.reason.trim();
  const now = new Date().toISOString();
  const duties = new Map((await ctx.catalog()).duties.map((d) => [d.id, d]));
  const plans = new Map<string, Suspension>();
  for (const task of await openTasksUnder(ctx, units)) {
    const found = duties.get(task.dutyId);
    const duty = found && termsFor(found, task.period);
    const movedTo = duty ? deadlineAfterWindow(task.dueOn, input.from, input.to, duty.shift, cal) : undefined;
    const suspension: Suspension = { emergencyId: '', fromAt, untilAt, reason };
    if (duty && movedTo) {
      const before = planAsIs(duty, task, cal);
      const after = planDeadline(duty, movedTo, cal, now);
      // Reminders before the window still go out as planned; those after it follow the moved deadline.
      const reminders = [...before.reminders.filter((at) => at < fromAt && at >= now), ...after.reminders.filter((at) => at >= fromAt)];
      suspension.before = before;
      suspension.plan = { ...after, reminders };
    }
    plans.set(task.taskId, suspension);
  }
  const emergency: Emergency = { id: await newId(ctx, input.dryRun), kind: 'suspend', units, from: input.from, to: input.to, reason, by: actor.id, at: now, tasks: [] };
  const moved = [...plans.values()].filter((p) => p.plan).length;
  if (input.dryRun) return { emergency, tasks: plans.size, moved, dryRun: true };

  const client = await ctx.temporal();
  const done = await updateEach(ctx, [...plans.keys()], (taskId) =>
    client.workflow.getHandle(taskId).executeUpdate(suspendTaskUpdate, { args: [{ by: 'system', suspension: { ...plans.get(taskId)!, emergencyId: emergency.id } }] }),
  );
  emergency.tasks = done.map((taskId) => ({ taskId, ...(plans.get(taskId)?.before ? { before: plans.get(taskId)?.before } : {}) }));
  await (await store(ctx)).add(emergency);
  await recordAudit(ctx, { actor: actor.id, via: actor.via, action: 'emergency.suspend', target: emergency.id, detail: { units, from: input.from, to: input.to, reason, tasks: done.length, moved, workingDays: covered } });
  return { emergency, tasks: done.length, moved, dryRun: false };
}

export async function extendTasks(ctx: ServiceContext, actor: Actor, input: ExtendInput): Promise<EmergencyOutcome> {
  const tree = await ctx.tree();
  const units = [...new Set(input.units.map((u) => u.trim()).filter(Boolean))];
  const issues = checkInput(tree, units, { to: input.to }, input.reason, false);
  if (issues.length > 0) throw new ValidationError('紧急情况统一延期', issues);
  const duty = termsFor(await ctx.duty(input.dutyId), input.period);
  const cal = loadWorkCalendar();
  const now = new Date().toISOString();
  let plan: DeadlinePlan;
  try {
    plan = planDeadline(duty, input.to, cal, now);
  } catch (err) {
    if (err instanceof CalendarError) throw new ValidationError('紧急情况统一延期', [{ path: 'to', value: input.to, message: err.message }]);
    throw err;
  }
  const tasks = (await openTasksUnder(ctx, units, { dutyId: input.dutyId, period: input.period })).filter((t) => t.dueOn < plan.dueOn);
  const reason = `紧急情况统一延期${input.reason?.trim() ? `:${input.reason.trim()}` : ''}`;
  const emergency: Emergency = { id: await newId(ctx, input.dryRun), kind: 'extend', units, dutyId: input.dutyId, period: input.period, dueOn: plan.dueOn, reason, by: actor.id, at: now, tasks: [] };
  if (input.dryRun) return { emergency, tasks: tasks.length, moved: tasks.length, dryRun: true };

  const client = await ctx.temporal();
  const before = new Map(tasks.map((t) => [t.taskId, planAsIs(duty, t, cal)]));
  const done = await updateEach(ctx, [...before.keys()], (taskId) => client.workflow.getHandle(taskId).executeUpdate(replanTaskUpdate, { args: [{ by: 'system', reason, plan }] }));
  emergency.tasks = done.map((taskId) => ({ taskId, before: before.get(taskId) }));
  await (await store(ctx)).add(emergency);
  await recordAudit(ctx, { actor: actor.id, via: actor.via, action: 'emergency.extend', target: emergency.id, detail: { units, dutyId: input.dutyId, period: input.period, dueOn: plan.dueOn, tasks: done.length } });
  return { emergency, tasks: done.length, moved: done.length, dryRun: false };
}

/** Undoes an emergency: suspended tasks resume (a moved deadline goes back), extended tasks get their deadline back. */
export async function liftEmergency(ctx: ServiceContext, actor: Actor, id: string): Promise<EmergencyOutcome> {
  const emergency = (await listEmergencies(ctx)).find((e) => e.id === id);
  if (!emergency) throw new UsageError(`找不到紧急情况 ${id};用 duty emergency list 查看`);
  if (emergency.liftedAt) throw new UsageError(`紧急情况 ${id} 已于 ${emergency.liftedAt} 撤销`);
  const client = await ctx.temporal();
  const now = Date.now();
  const done = await updateEach(
    ctx,
    emergency.tasks.filter((t) => emergency.kind === 'suspend' || (t.before && Date.parse(t.before.dueAt) > now)).map((t) => t.taskId),
    (taskId) => {
      const handle = client.workflow.getHandle(taskId);
      if (emergency.kind === 'suspend') return handle.executeUpdate(liftSuspensionUpdate, { args: [{ by: 'system', emergencyId: id }] });
      const before = emergency.tasks.find((t) => t.taskId === taskId)?.before;
      return handle.executeUpdate(replanTaskUpdate, { args: [{ by: 'system', reason: `撤销紧急情况 ${id}`, plan: before! }] });
    },
  );
  await (await store(ctx)).markLifted(id, new Date().toISOString());
  await recordAudit(ctx, { actor: actor.id, via: actor.via, action: 'emergency.lift', target: id, detail: { tasks: done.length } });
  return { emergency, tasks: done.length, moved: done.length, dryRun: false };
}

export async function listEmergencies(ctx: ServiceContext): Promise<Emergency[]> {
  return (await store(ctx)).list();
}
