import { ApplicationFailure, patched, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { checkCompletion, clip, COMPLETION_LIMITS, parseLocalDate } from '../src/shared/completion';
import {
  acknowledgeTaskUpdate,
  type AttachmentRef,
  completeTaskUpdate,
  decideExtensionUpdate,
  type DeadlinePlan,
  reassignTaskUpdate,
  replanTaskUpdate,
  reportProgressUpdate,
  requestExtensionUpdate,
  reviewTaskUpdate,
  type TaskState,
  waiveTaskUpdate,
} from '../src/contracts/dutyTask';
import { SA } from '../src/shared/searchAttributes';
import { ATTACHMENT_KINDS, kindList } from '../src/shared/evidence';
import type { CompletionSpec } from '../src/shared/types';
import { shanghaiDate, shanghaiStamp } from '../src/shared/zone';
import { nowIso, record, refuse, setStatus } from './support';
import type { TaskRun } from './taskRun';
import { registerSuspensions } from './taskSuspensions';

/**
 * The 督办 steps on a task: 签收, 反馈, 延期申请/审批, 办结 (with 审核 when the duty asks), 退回, 转办, 免除.
 * Validators refuse without writing history; who may act for a supervisor is checked by the service against the
 * roster as it is now, and the workflow keeps the rules it can judge itself (closed, own work, dates, reasons).
 */
/** Tasks recorded before the steps existed completed and were waived without publishing flags and memo. */
const STEPS_PATCH = 'task-steps-flags';

export function registerSteps(run: TaskRun): void {
  registerCompletion(run);
  registerWaiver(run);
  registerAcknowledge(run);
  registerProgress(run);
  registerExtension(run);
  registerReview(run);
  registerReassign(run);
  registerReplan(run);
  registerSuspensions(run);
}

function registerCompletion(run: TaskRun): void {
  const { input, state } = run;
  setHandler(
    completeTaskUpdate,
    (req) => {
      const { fields } = checkCompletion(input.duty.completion, req.note, req.fields ?? {});
      state.completion = { by: req.by, at: nowIso(), note: req.note?.trim() || undefined, fields, ...(req.attachments?.length ? { attachments: req.attachments } : {}) };
      keepEvidence(state, req.attachments);
      if (state.extension?.pending) state.extension.pending = undefined;
      if (input.duty.review === 'supervisor') {
        record(state, req.by, 'submitted', req.note?.trim());
        setStatus(state, 'review');
        run.publish();
        run.sendStep('reviewRequested', { by: req.by }, 1);
        return state;
      }
      record(state, req.by, 'completed', req.note?.trim());
      setStatus(state, 'done');
      // Roll-up reports read the figures from visibility listings instead of asking every task.
      if (patched('completion-figures-memo')) upsertMemo({ figures: fields });
      if (patched(STEPS_PATCH)) run.publish();
      return state;
    },
    {
      validator: (req) => {
        refuseUnlessOpen(run);
        requireUnitSide(run, req.by, '完成此任务');
        // The workflow clock, so "today" is the same on replay.
        const dates = { ...input.occurrence, today: shanghaiDate(Date.now()) };
        const { problems } = checkCompletion(input.duty.completion, req.note, req.fields ?? {}, dates);
        const evidence = missingEvidence(input.duty.completion, req.attachments?.length ?? 0);
        if (evidence) problems.push({ field: 'attachments', message: evidence });
        if (problems.length > 0) {
          throw ApplicationFailure.create({ type: 'InvalidCompletion', message: problems.map((p) => p.message).join(';'), details: [problems] });
        }
      },
    },
  );
}

function missingEvidence(spec: CompletionSpec, count: number): string | undefined {
  const need = spec.attachments?.required ? spec.attachments.min : 0;
  return count < need ? `须附佐证材料至少 ${need} 个(${kindList(spec.attachments?.kinds ?? ATTACHMENT_KINDS)}),收到 ${count} 个` : undefined;
}

function keepEvidence(state: TaskState, files: AttachmentRef[] | undefined): void {
  if (!files?.length) return;
  const known = new Set((state.evidence ?? []).map((f) => f.sha256));
  state.evidence = [...(state.evidence ?? []), ...files.filter((f) => !known.has(f.sha256))];
}

function registerWaiver(run: TaskRun): void {
  const { input, state } = run;
  setHandler(
    waiveTaskUpdate,
    (req) => {
      state.waiver = { by: req.by, at: nowIso(), reason: req.reason.trim() };
      record(state, req.by, 'waived', req.reason.trim());
      setStatus(state, 'waived');
      if (patched(STEPS_PATCH)) run.publish();
      return state;
    },
    {
      validator: (req) => {
        refuseIfClosed(state);
        if (!input.admins.includes(req.by) && req.by !== input.parent) refuse('NotAllowed', `${clip(String(req.by))} 不是管理员,不能免除任务`);
        requireReason(req.reason, '免除原因', 'InvalidWaiver');
      },
    },
  );
}

function registerAcknowledge(run: TaskRun): void {
  const { state } = run;
  setHandler(
    acknowledgeTaskUpdate,
    (req) => {
      // A second click is no second receipt.
      if (state.acknowledged) return state;
      state.acknowledged = { by: req.by, at: nowIso() };
      record(state, req.by, 'acknowledged');
      run.publish();
      return state;
    },
    {
      validator: (req) => {
        refuseUnlessOpen(run);
        requireUnitSide(run, req.by, '签收此任务');
      },
    },
  );
}

function registerProgress(run: TaskRun): void {
  const { input, state } = run;
  setHandler(
    reportProgressUpdate,
    (req) => {
      const { fields } = checkCompletion(partial(input.duty.completion), req.note, req.fields ?? {});
      state.progress = { by: req.by, at: nowIso(), note: req.note.trim(), fields, ...(req.attachments?.length ? { attachments: req.attachments } : {}) };
      keepEvidence(state, req.attachments);
      // Reporting progress is a receipt too.
      state.acknowledged ??= { by: req.by, at: state.progress.at };
      record(state, req.by, 'progress', clip(req.note.trim(), 200));
      run.publish();
      return state;
    },
    {
      validator: (req) => {
        refuseUnlessOpen(run);
        requireUnitSide(run, req.by, '反馈此任务的进展');
        requireText(req.note, '进展情况(note)', COMPLETION_LIMITS.noteLength);
        const { problems } = checkCompletion(partial(input.duty.completion), req.note, req.fields ?? {});
        if (problems.length > 0) {
          throw ApplicationFailure.create({ type: 'InvalidCompletion', message: problems.map((p) => p.message).join(';'), details: [problems] });
        }
      },
    },
  );
}

/** Progress may carry any of the completion's figures, none of them required yet, and no cross-field rules. */
function partial(spec: CompletionSpec): CompletionSpec {
  return { note: 'optional', fields: spec.fields.map((f) => ({ ...f, required: false })) };
}

function registerExtension(run: TaskRun): void {
  const { state } = run;
  setHandler(
    requestExtensionUpdate,
    (req) => {
      const at = nowIso();
      state.extension ??= { originalDueOn: state.dueOn, originalDueAt: state.dueAt, granted: 0 };
      state.extension.pending = { by: req.by, at, dueOn: req.dueOn, reason: req.reason.trim() };
      state.acknowledged ??= { by: req.by, at };
      record(state, req.by, 'extensionRequested', `申请延至 ${req.dueOn}:${clip(req.reason.trim(), 200)}`);
      run.publish();
      run.sendStep('extensionRequested', { by: req.by, reason: req.reason.trim(), requestedDueOn: req.dueOn }, 1);
      return state;
    },
    {
      validator: (req) => {
        refuseUnlessOpen(run);
        requireUnitSide(run, req.by, '为此任务申请延期');
        if (state.extension?.pending) refuse('InvalidExtension', `已有延期申请(延至 ${state.extension.pending.dueOn})等待审批,请等审批后再申请`);
        const dueOn = parseLocalDate(req.dueOn);
        if (!dueOn) refuse('InvalidExtension', `延期日期(dueOn)应为 YYYY-MM-DD 格式的有效日期,收到 ${JSON.stringify(clip(String(req.dueOn)))}`);
        if (dueOn <= state.dueOn) refuse('InvalidExtension', `延期日期 ${dueOn} 须晚于当前截止日 ${state.dueOn}`);
        if (dueOn < shanghaiDate(Date.now())) refuse('InvalidExtension', `延期日期 ${dueOn} 早于今天`);
        requireReason(req.reason, '延期原因');
      },
    },
  );
  setHandler(
    decideExtensionUpdate,
    (req) => {
      const pending = state.extension?.pending;
      if (!state.extension || !pending) return state;
      state.extension.pending = undefined;
      const at = nowIso();
      if (!req.approve || !req.plan) {
        state.extension.lastDecision = { by: req.by, at, approved: false, reason: req.reason?.trim() };
        record(state, req.by, 'extensionRejected', req.reason?.trim());
        run.publish();
        run.sendStep('extensionRejected', { by: req.by, reason: req.reason?.trim() });
        return state;
      }
      const previousDueOn = state.dueOn;
      state.extension.granted += 1;
      state.extension.lastDecision = { by: req.by, at, approved: true, dueOn: req.plan.dueOn, reason: req.reason?.trim() || undefined };
      replan(run, req.plan);
      record(state, req.by, 'extensionApproved', `截止日 ${previousDueOn} → ${req.plan.dueOn}${req.plan.dueOn < pending.dueOn ? `(申请 ${pending.dueOn})` : ''}`);
      run.publish();
      run.sendStep('extensionApproved', { by: req.by, previousDueOn, ...(req.reason?.trim() ? { reason: req.reason.trim() } : {}) });
      return state;
    },
    {
      validator: (req) => {
        refuseUnlessOpen(run);
        const pending = state.extension?.pending;
        if (!pending) refuse('InvalidExtension', '此任务没有待审批的延期申请');
        if (req.by === pending.by || req.by === state.assignee.personId) refuse('NotAllowed', '不能审批本人或本人任务的延期申请');
        if (req.approve) {
          if (!req.plan) refuse('InvalidExtension', '批准延期须给出新的截止日期');
          checkPlan(req.plan, '批准的截止日期');
          if (req.plan.dueOn > pending.dueOn) refuse('InvalidExtension', `批准的截止日期 ${req.plan.dueOn} 不能晚于申请的 ${pending.dueOn}(可以缩短,不能延长)`);
          if (req.reason !== undefined && req.reason.length > COMPLETION_LIMITS.reasonLength) refuse('InvalidReason', `说明最多 ${COMPLETION_LIMITS.reasonLength} 字,收到 ${req.reason.length} 字`);
        } else {
          requireReason(req.reason, '驳回原因');
        }
      },
    },
  );
}

function registerReview(run: TaskRun): void {
  const { state } = run;
  setHandler(
    reviewTaskUpdate,
    (req) => {
      const completion = state.completion;
      if (state.status !== 'review' || !completion) return state;
      const at = nowIso();
      if (req.accept) {
        state.review = { by: req.by, at };
        record(state, req.by, 'accepted', req.reason?.trim() || undefined);
        setStatus(state, 'done');
        if (patched('completion-figures-memo')) upsertMemo({ figures: completion.fields });
        run.publish();
        return state;
      }
      const reason = (req.reason ?? '').trim();
      (state.returned ??= []).push({ ...completion, returnedBy: req.by, returnedAt: at, reason });
      state.completion = undefined;
      const previousDueOn = state.dueOn;
      if (req.plan) replan(run, req.plan);
      else {
        setStatus(state, Date.parse(state.dueAt) <= Date.now() ? 'overdue' : 'open');
        run.restart();
      }
      record(state, req.by, 'returned', `${clip(reason, 200)}${req.plan ? `;新的截止日 ${req.plan.dueOn}` : ''}`);
      run.publish();
      run.sendStep('returned', { by: req.by, reason, ...(req.plan ? { previousDueOn } : {}) });
      return state;
    },
    {
      validator: (req) => {
        refuseIfClosed(state);
        if (state.status !== 'review' || !state.completion) refuse('InvalidReview', '此任务没有待审核的办结登记');
        if (req.by === state.completion.by || req.by === state.assignee.personId) refuse('NotAllowed', '不能审核本人或本人任务的办结登记');
        if (!req.accept) requireReason(req.reason, '退回原因');
        else if (req.reason !== undefined && req.reason.length > COMPLETION_LIMITS.reasonLength) refuse('InvalidReason', `说明最多 ${COMPLETION_LIMITS.reasonLength} 字,收到 ${req.reason.length} 字`);
        if (req.plan) checkPlan(req.plan, '新的截止日期');
      },
    },
  );
}

function registerReassign(run: TaskRun): void {
  const { state } = run;
  setHandler(
    reassignTaskUpdate,
    (req) => {
      const from = state.assignee;
      const reason = req.reason.trim();
      run.leaveHerald();
      (state.previousAssignees ??= []).push({ ...from, until: nowIso(), by: req.by, reason });
      state.assignee = { personId: req.to.personId, unitId: req.to.unitId };
      state.completers = req.completers;
      upsertSearchAttributes([
        { key: SA.assignee, value: req.to.personId },
        { key: SA.unit, value: req.to.unitId },
        { key: SA.unitPath, value: req.unitPath },
        ...(req.township ? [{ key: SA.township, value: req.township }] : []),
      ]);
      record(state, req.by, 'reassigned', `${from.personId}(${from.unitId})→ ${req.to.personId}(${req.to.unitId}):${clip(reason, 200)}`);
      run.sendStep('handedOver', { by: req.by, reason, previousAssignee: from.personId });
      run.sendStep('reassigned', { by: req.by, reason, previousAssignee: from.personId });
      // Whoever now holds the task has not signed for it yet.
      state.acknowledged = undefined;
      run.publish();
      return state;
    },
    {
      validator: (req) => {
        refuseIfClosed(state);
        if (req.to.personId === state.assignee.personId) refuse('InvalidReassign', `任务已由 ${clip(req.to.personId)} 办理,无需转办`);
        if (!Array.isArray(req.completers) || !req.completers.includes(req.to.personId)) refuse('InvalidReassign', '转办请求缺少新责任人的办理权限');
        requireReason(req.reason, '转办原因');
      },
    },
  );
}

function registerReplan(run: TaskRun): void {
  const { state } = run;
  setHandler(
    replanTaskUpdate,
    (req) => {
      const previousDueOn = state.dueOn;
      const moved = req.plan.dueAt !== state.dueAt;
      if (moved) replan(run, req.plan);
      else {
        // Same deadline, but reminder days may move with the new arrangement; nobody needs telling.
        state.reminders = req.plan.reminders;
        state.provisional = req.plan.provisional;
        upsertSearchAttributes([{ key: SA.provisional, value: req.plan.provisional }]);
        run.restart();
      }
      record(state, req.by, 'replanned', moved ? `${req.reason}:截止日 ${previousDueOn} → ${req.plan.dueOn}` : `${req.reason}:截止日不变`);
      run.publish();
      if (moved) run.sendStep('deadlineChanged', { by: req.by, reason: req.reason, previousDueOn });
      return state;
    },
    {
      validator: (req) => {
        refuseUnlessOpen(run);
        if (req.by !== 'system') refuse('NotAllowed', '只有系统可以按新的节假日安排重排截止日');
        if (!parseLocalDate(req.plan.dueOn) || !Number.isFinite(Date.parse(req.plan.dueAt))) refuse('InvalidDeadline', '新的截止日期无效');
        requireReason(req.reason, '重排原因');
      },
    },
  );
}

/** The deadline and everything timed from it follow the plan; the task is open work again until the new deadline. */
export function replan(run: TaskRun, plan: DeadlinePlan): void {
  const { state } = run;
  state.dueOn = plan.dueOn;
  state.dueAt = plan.dueAt;
  state.reminders = plan.reminders;
  state.provisional = plan.provisional;
  if (state.escalationLevel !== 0) {
    state.escalationLevel = 0;
    upsertSearchAttributes([{ key: SA.escalationLevel, value: 0 }]);
  }
  upsertSearchAttributes([{ key: SA.provisional, value: plan.provisional }]);
  setStatus(state, 'open');
  run.restart();
}

function checkPlan(plan: DeadlinePlan, what: string): void {
  if (!parseLocalDate(plan.dueOn) || !Number.isFinite(Date.parse(plan.dueAt))) refuse('InvalidDeadline', `${what}无效`);
  if (Date.parse(plan.dueAt) <= Date.now()) refuse('InvalidDeadline', `${what} ${plan.dueOn} 已经过去,请选择今天以后的日期`);
}

function requireUnitSide(run: TaskRun, by: string, what: string): void {
  if (!run.completers().includes(by)) refuse('NotAllowed', `${clip(String(by))} 无权${what}(仅限责任人、同单位人员或管理员)`);
}

function requireReason(reason: unknown, what: string, type = 'InvalidReason'): void {
  requireText(reason, what, COMPLETION_LIMITS.reasonLength, type);
}

function requireText(text: unknown, what: string, max: number, type = 'InvalidReason'): void {
  if (typeof text !== 'string' || !text.trim()) refuse(type, `${what}不能为空`);
  if (text.length > max) refuse(type, `${what}最多 ${max} 字,收到 ${text.length} 字`);
}

export function refuseUnlessOpen(run: TaskRun): void {
  refuseIfClosed(run.state);
  if (run.state.status === 'review') refuse('TaskInReview', '任务已登记办结,正在等待审核,不能再办理此步骤');
}

/** Says who closed the task and when, so a second completion is told what happened instead of "not found". */
export function refuseIfClosed(state: TaskState): void {
  const c = state.status === 'done' ? state.completion : undefined;
  if (c) refuse('TaskClosed', `任务已于 ${shanghaiStamp(c.at)} 由 ${clip(c.by)} 办结`);
  const w = state.status === 'waived' ? state.waiver : undefined;
  if (w) refuse('TaskClosed', `任务已于 ${shanghaiStamp(w.at)} 由 ${clip(w.by)} 免除(原因: ${clip(w.reason)})`);
}
