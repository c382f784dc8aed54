import type { WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../audit/log';
import { canSeeTask, requireCanComplete, requirePersonInScope, requireRole, scopeOf, unitsToQuery, type Scope, type Viewer } from '../auth/policy';
import { UsageError, ValidationError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { completeTaskUpdate, type CompletionRequest, type TaskState, taskStateQuery, type WaiverRequest, waiveTaskUpdate } from '../contracts/dutyTask';
import { checkCompletionSize } from '../shared/completion';
import { shanghaiStamp } from '../shared/zone';
import { dutyForPeriod, periodByLabel } from '../calendar';
import type { CompletionSpec, Duty } from '../shared/types';
import { listTasks, type TaskFilter, type TaskSummary } from '../tasks/query';
import { storeBackend } from '../store/backend';
import { deliveryLogOf } from '../store/records';
import { recordAudit, type ServiceContext } from './context';
import { visibleTask } from './taskAccess';

/**
 * Task operations shared by the CLI and the HTTP API. Every read and write passes the viewer's scope first;
 * a task outside it is "not found", worded exactly like a task that does not exist.
 */

export async function findTasks(ctx: ServiceContext, viewer: Viewer, filter: TaskFilter, scope?: Scope): Promise<TaskSummary[]> {
  const tree = await ctx.tree();
  if (filter.unit) tree.unit(filter.unit);
  const s = scope ?? scopeOf(tree, viewer);
  if (filter.assignee) requirePersonInScope(tree, s, filter.assignee);
  const client = await ctx.temporal();
  if (s.all) return listTasks(client, filter);
  const units = unitsToQuery(tree, s, filter.unit) ?? [];
  const filters: TaskFilter[] = units.map((unit) => ({ ...filter, unit }));
  // Tasks assigned to the viewer are found even if they sit outside the units above.
  if (!filter.unit) for (const p of s.people) if (!filter.assignee || filter.assignee === p) filters.push({ ...filter, assignee: p });
  const lists = await Promise.all(filters.map((f) => listTasks(client, f)));
  const seen = new Map<string, TaskSummary>();
  for (const t of lists.flat()) if (canSeeTask(tree, s, t)) seen.set(t.taskId, t);
  return [...seen.values()].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.taskId.localeCompare(b.taskId));
}

/** One step on one task, by whoever the viewer is acting as. */
export interface StepCall {
  ctx: ServiceContext;
  viewer: Viewer;
  actor: Actor;
  taskId: string;
}

interface OpenTask {
  handle: WorkflowHandle;
  state: TaskState;
  tree: OrgTree;
}

/** The task as it stands, visible to the viewer and still open to steps; a closed one is refused in words. */
export async function openTask({ ctx, viewer, taskId }: StepCall): Promise<OpenTask> {
  const tree = await ctx.tree();
  const task = await visibleTask(await ctx.temporal(), tree, viewer, taskId);
  const state = task.running ? await task.handle.query(taskStateQuery) : await task.handle.result();
  refuseClosed(state, tree);
  return { handle: task.handle, state, tree };
}

export function nameOf(tree: OrgTree, id: string): string {
  return tree.hasPerson(id) ? `${tree.person(id).name}(${id})` : id === 'system' ? '系统' : id;
}

/** "Already done" names who did it and when, with exit code 2 (bad input), never "not found". */
export function refuseClosed(state: TaskState, tree: OrgTree): void {
  if (state.status === 'done' && state.completion) {
    throw new UsageError(`任务已于 ${shanghaiStamp(state.review?.at ?? state.completion.at)} 由 ${nameOf(tree, state.completion.by)} 办结${state.review ? `(${nameOf(tree, state.review.by)} 审核通过)` : ''},不能再办理`);
  }
  if (state.status === 'waived' && state.waiver) {
    throw new UsageError(`任务已于 ${shanghaiStamp(state.waiver.at)} 由 ${nameOf(tree, state.waiver.by)} 免除(原因: ${state.waiver.reason}),不能再办理`);
  }
}

export async function showTask(ctx: ServiceContext, viewer: Viewer, taskId: string): Promise<TaskState> {
  const { handle, running } = await visibleTask(await ctx.temporal(), await ctx.tree(), viewer, taskId);
  const state: TaskState = running ? await handle.query(taskStateQuery) : await handle.result();
  return withHeraldDeliveries(ctx, state);
}

/** The notices a herald sent for the task sit in the delivery log, not its history: the record shows both, in time order. */
export async function withHeraldDeliveries(ctx: ServiceContext, state: TaskState): Promise<TaskState> {
  if (!state.herald) return state;
  const sent = await deliveryLogOf(await storeBackend(ctx.settings)).forTask(state.taskId);
  const deliveries = [...state.deliveries, ...sent].sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  return { ...state, deliveries };
}

/**
 * The workflow's validator has the last word (who, which figures); the policy check before it only spares
 * a round trip and keeps other units' tasks invisible.
 */
export async function completeTask(ctx: ServiceContext, viewer: Viewer, actor: Actor, taskId: string, req: CompletionRequest): Promise<TaskState> {
  refuseOversizedCompletion(req);
  const { handle, state: before, tree } = await openTask({ ctx, viewer, actor, taskId });
  requireCanComplete(tree, viewer, before.assignee);
  const state = await handle.executeUpdate(completeTaskUpdate, { args: [req] });
  await recordAudit(ctx, {
    actor: actor.id,
    via: actor.via,
    action: 'task.complete',
    target: taskId,
    unitId: state.assignee.unitId,
    detail: { by: req.by, fields: state.completion?.fields ?? {}, withNote: Boolean(state.completion?.note), attachments: req.attachments?.length ?? 0, review: state.status === 'review' },
  });
  return state;
}

/** No duty asks for more than the limits allow, so a larger completion is refused here, before Temporal ever sees it. */
function refuseOversizedCompletion(req: CompletionRequest): void {
  const problems = checkCompletionSize(req.note, req.fields);
  if (problems.length > 0) {
    throw new ValidationError('完成登记', problems.map((p) => ({ path: p.field === 'note' || p.field === 'fields' ? p.field : `fields.${p.field}`, message: p.message })));
  }
}

export async function waiveTask(ctx: ServiceContext, viewer: Viewer, actor: Actor, taskId: string, req: WaiverRequest): Promise<TaskState> {
  requireRole(viewer, ['admin'], '免除任务');
  const { handle } = await openTask({ ctx, viewer, actor, taskId });
  const state = await handle.executeUpdate(waiveTaskUpdate, { args: [req] });
  await recordAudit(ctx, {
    actor: actor.id,
    via: actor.via,
    action: 'task.waive',
    target: taskId,
    unitId: state.assignee.unitId,
    detail: { by: req.by, reason: req.reason.trim() },
  });
  return state;
}

/**
 * The terms a task works under: the catalog version in force when its period began (a deadline moved from the 15th
 * to the 10th in July reaches July's tasks, not June's). Event-triggered duties have no periods and one set of terms.
 */
export function termsFor(duty: Duty, period: string): Duty {
  if (!duty.versions || duty.recurrence.kind === 'triggered') return duty;
  const start = periodByLabel(duty.recurrence, period);
  return start ? dutyForPeriod(duty, start) : duty;
}

/** The figures a completion asks for, under the task's terms: the phase's own when it has them, else the duty's. */
export function completionSpecFor(duty: Duty, task: { period: string; phase?: string }): CompletionSpec {
  const terms = termsFor(duty, task.period);
  return (task.phase ? terms.phases?.find((p) => p.id === task.phase)?.completion : undefined) ?? terms.completion;
}
