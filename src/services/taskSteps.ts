import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { AuditAction } from '../audit/log';
import { ForbiddenError } from '../auth/policy';
import { planDeadline } from '../calendar';
import {
  acknowledgeTaskUpdate,
  type DeadlinePlan,
  decideExtensionUpdate,
  type ProgressRequest,
  reassignTaskUpdate,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewTaskUpdate,
  type TaskState,
} from '../contracts/dutyTask';
import { CalendarError, UsageError, ValidationError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { checkCompletionSize, COMPLETION_LIMITS, parseLocalDate } from '../shared/completion';
import { shanghaiDate } from '../shared/zone';
import { loadWorkCalendar } from '../sources/holidays';
import { planRosterMoves, type RosterMove } from '../tasks/rosterMoves';
import { recordAudit, type ServiceContext } from './context';
import type { StepCall } from './tasks';
import { nameOf, openTask, termsFor } from './tasks';

/**
 * The 督办 steps after opening: 签收, 反馈, 延期申请/审批, 办结审核, 转办. Each checks the acting person (`by`) against
 * the roster as it is now, refuses a closed task by saying who closed it and when, plans any new deadline with the
 * calendar, sends the update (whose validator has the last word) and writes one audit entry.
 */

function requireUnitSide(tree: OrgTree, by: string, state: TaskState, what: string): void {
  if (!tree.canComplete(by, state.assignee)) throw new ForbiddenError(`${by} 无权${what}(仅限责任人、同单位人员或管理员)`);
}

function requireSupervisor(tree: OrgTree, by: string, state: TaskState, what: string): void {
  if (!tree.canSupervise(by, state.assignee.unitId)) throw new ForbiddenError(`${by} 无权${what}(仅限该单位的督查人员或管理员)`);
}

function requireReason(reason: string | undefined, what: string, path = 'reason'): string {
  const text = (reason ?? '').trim();
  if (!text) throw new ValidationError(what, [{ path, message: `${what}不能为空` }]);
  if (text.length > COMPLETION_LIMITS.reasonLength) {
    throw new ValidationError(what, [{ path, message: `${what}最多 ${COMPLETION_LIMITS.reasonLength} 字,收到 ${text.length} 字` }]);
  }
  return text;
}

/** A date typed by a person, for a new deadline: a real date, not before today, a working day when the duty shifts. */
async function planFor(ctx: ServiceContext, state: TaskState, raw: string, path: string): Promise<DeadlinePlan> {
  const dueOn = parseLocalDate(raw);
  if (!dueOn) throw new ValidationError('截止日期', [{ path, value: raw, message: '应为 YYYY-MM-DD 格式的有效日期' }]);
  const today = shanghaiDate(Date.now());
  if (dueOn < today) throw new ValidationError('截止日期', [{ path, value: raw, message: `不能早于今天(${today})` }]);
  const duty = termsFor(await ctx.duty(state.dutyId), state.period);
  try {
    return planDeadline(duty, dueOn, loadWorkCalendar(), new Date().toISOString());
  } catch (err) {
    if (err instanceof CalendarError) throw new ValidationError('截止日期', [{ path, value: raw, message: err.message }]);
    throw err;
  }
}

async function audit(call: StepCall, action: AuditAction, state: TaskState, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(call.ctx, { actor: call.actor.id, via: call.actor.via, action, target: call.taskId, unitId: state.assignee.unitId, detail });
}

export async function acknowledgeTask(call: StepCall, by: string): Promise<TaskState> {
  const { handle, state, tree } = await openTask(call);
  requireUnitSide(tree, by, state, '签收此任务');
  const after = await handle.executeUpdate(acknowledgeTaskUpdate, { args: [{ by }] });
  if (!state.acknowledged) await audit(call, 'task.acknowledge', after, { by });
  return after;
}

export async function reportProgress(call: StepCall, req: ProgressRequest): Promise<TaskState> {
  const problems = checkCompletionSize(req.note, req.fields ?? {});
  if (problems.length > 0) throw new ValidationError('进展反馈', problems.map((p) => ({ path: p.field, message: p.message })));
  const { handle, state, tree } = await openTask(call);
  requireUnitSide(tree, req.by, state, '反馈此任务的进展');
  if (!req.note?.trim()) throw new ValidationError('进展反馈', [{ path: 'note', message: '进展情况(note)不能为空' }]);
  const after = await handle.executeUpdate(reportProgressUpdate, { args: [req] });
  await audit(call, 'task.progress', after, { by: req.by, fields: after.progress?.fields ?? {}, attachments: req.attachments?.length ?? 0 });
  return after;
}

export async function requestExtension(call: StepCall, req: { by: string; dueOn: string; reason: string }): Promise<TaskState> {
  const { handle, state, tree } = await openTask(call);
  requireUnitSide(tree, req.by, state, '为此任务申请延期');
  const reason = requireReason(req.reason, '延期原因');
  const plan = await planFor(call.ctx, state, req.dueOn, 'dueOn');
  if (plan.dueOn <= state.dueOn) throw new ValidationError('延期申请', [{ path: 'dueOn', value: req.dueOn, message: `须晚于当前截止日 ${state.dueOn}` }]);
  const after = await handle.executeUpdate(requestExtensionUpdate, { args: [{ by: req.by, dueOn: plan.dueOn, reason }] });
  await audit(call, 'task.extension-request', after, { by: req.by, dueOn: plan.dueOn, from: state.dueOn });
  return after;
}

export async function decideExtension(call: StepCall, req: { by: string; approve: boolean; dueOn?: string; reason?: string }): Promise<TaskState> {
  const { handle, state, tree } = await openTask(call);
  requireSupervisor(tree, req.by, state, '审批此任务的延期申请');
  const pending = state.extension?.pending;
  if (!pending) throw new UsageError('此任务没有待审批的延期申请');
  const reason = req.approve ? req.reason?.trim() || undefined : requireReason(req.reason, '驳回原因');
  if (reason && reason.length > COMPLETION_LIMITS.reasonLength) requireReason(reason, '说明');
  const plan = req.approve ? await planFor(call.ctx, state, req.dueOn ?? pending.dueOn, 'dueOn') : undefined;
  if (plan && plan.dueOn > pending.dueOn) {
    throw new ValidationError('延期审批', [{ path: 'dueOn', value: plan.dueOn, message: `不能晚于申请的 ${pending.dueOn}(可以缩短,不能延长)` }]);
  }
  const after = await handle.executeUpdate(decideExtensionUpdate, { args: [{ by: req.by, approve: req.approve, ...(reason ? { reason } : {}), ...(plan ? { plan } : {}) }] });
  await audit(call, 'task.extension-decide', after, { by: req.by, approved: req.approve, dueOn: plan?.dueOn, requested: pending.dueOn });
  return after;
}

export async function reviewTask(call: StepCall, req: { by: string; accept: boolean; reason?: string; dueOn?: string }): Promise<TaskState> {
  const { handle, state, tree } = await openTask(call);
  requireSupervisor(tree, req.by, state, '审核此任务');
  if (state.status !== 'review' || !state.completion) throw new UsageError('此任务没有待审核的办结登记');
  if (req.by === state.completion.by || req.by === state.assignee.personId) throw new ForbiddenError('不能审核本人或本人任务的办结登记');
  const reason = req.accept ? req.reason?.trim() || undefined : requireReason(req.reason, '退回原因');
  if (reason && reason.length > COMPLETION_LIMITS.reasonLength) requireReason(reason, '说明');
  const plan = !req.accept && req.dueOn ? await planFor(call.ctx, state, req.dueOn, 'dueOn') : undefined;
  const after = await handle.executeUpdate(reviewTaskUpdate, { args: [{ by: req.by, accept: req.accept, ...(reason ? { reason } : {}), ...(plan ? { plan } : {}) }] });
  await audit(call, 'task.review', after, { by: req.by, accepted: req.accept, dueOn: plan?.dueOn });
  return after;
}

/**
 * 转办: an admin, or a supervisor of the task's unit, hands it to someone in the same unit or in a unit the actor
 * supervises. The new holder's unit decides who may then act for them.
 */
export async function reassignTask(call: StepCall, req: { by: string; to: string; reason: string }): Promise<TaskState> {
  const { handle, state, tree } = await openTask(call);
  requireSupervisor(tree, req.by, state, '转办此任务');
  const reason = requireReason(req.reason, '转办原因');
  if (!tree.hasPerson(req.to)) throw new ValidationError('转办', [{ path: 'to', value: req.to, message: '名册中没有此人' }]);
  const to = tree.person(req.to);
  if (to.id === state.assignee.personId) throw new UsageError(`任务已由 ${nameOf(tree, to.id)} 办理,无需转办`);
  if (to.unit !== state.assignee.unitId && !tree.canSupervise(req.by, to.unit)) {
    throw new ValidationError('转办', [{ path: 'to', value: req.to, message: `${to.name} 不在本单位,也不在您督查的单位,不能转办给此人` }]);
  }
  const after = await handle.executeUpdate(reassignTaskUpdate, { args: [reassignRequest(tree, req.by, to.id, reason)] });
  await audit(call, 'task.reassign', after, { by: req.by, from: state.assignee.personId, to: to.id });
  return after;
}

/**
 * The update's arguments for a move to `personId`: their unit as the roster has it now (or the task's own, when
 * the task stays with its unit), and who may then act there.
 */
export function reassignRequest(tree: OrgTree, by: string, personId: string, reason: string, unitId = tree.person(personId).unit) {
  const completers = [...new Set([personId, ...tree.peopleOf(unitId).map((p) => p.id), ...tree.admins().map((p) => p.id)])];
  return {
    by,
    reason,
    to: { personId, unitId },
    unitName: tree.unit(unitId).name,
    unitPath: tree.unitPath(unitId),
    ...(tree.township(unitId) ? { township: tree.township(unitId)?.id } : {}),
    completers,
  };
}

/** What a roster change does to open tasks, for `duty plan`: nothing changes here. */
export async function planRosterChange(ctx: ServiceContext, dir?: string): Promise<RosterMove[]> {
  return planRosterMoves(await ctx.temporal(), await ctx.tree(dir), (await ctx.catalog(dir)).duties);
}

/**
 * Roster changes reach open tasks: each task of a person who left or moved passes by 转办, with `system` as the
 * actor and the change as the reason. A task whose unit has nobody to take it stays, and is reported.
 */
export async function applyRosterChange(ctx: ServiceContext, dir?: string): Promise<RosterChange> {
  const tree = await ctx.tree(dir);
  const client = await ctx.temporal();
  const result: RosterChange = { moved: [], stranded: [] };
  for (const move of await planRosterChange(ctx, dir)) {
    if (!move.to) {
      result.stranded.push(move);
      continue;
    }
    try {
      const state = await client.workflow.getHandle(move.taskId).executeUpdate(reassignTaskUpdate, { args: [reassignRequest(tree, 'system', move.to.personId, move.reason, move.to.unitId)] });
      await recordAudit(ctx, { actor: 'system', via: 'system', action: 'task.reassign', target: move.taskId, unitId: state.assignee.unitId, detail: { from: move.from.personId, to: move.to.personId, roster: true } });
      result.moved.push(move);
    } catch (err) {
      // Closed since it was listed, or moved by someone else meanwhile: nothing left to move.
      if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return result;
}

export interface RosterChange {
  moved: RosterMove[];
  /** Tasks whose unit has nobody left to take them, not even a supervisor. */
  stranded: RosterMove[];
}
