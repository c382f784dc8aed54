import type { FastifyInstance } from 'fastify';
import { COMPLETION_LIMITS } from '../../shared/completion';
import { completeTask, showTask, waiveTask } from '../../services/tasks';
import { httpActor, withFiles } from '../api/tasks';
import { TaskIdParams } from '../api/schemas';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { pageRoute, seeOther } from './route';
import { NO_FORM, readForm } from './taskForms';
import { stepPage, taskStepPages } from './taskStepRoutes';
import { renderTask } from './taskView';

/** `?ok=…` after a step: what the person just did, in words. */
const NOTICES: Record<string, string> = {
  waived: '已免除此任务',
  submitted: '已登记办结,等待督查人员审核',
  acknowledged: '已签收此任务',
  progress: '已反馈进展',
  extensionRequested: '已提交延期申请,等待审批',
  extensionApproved: '已批准延期',
  extensionRejected: '已驳回延期申请',
  accepted: '审核通过,任务已办结',
  returned: '已退回,责任人须重新办理',
  reassigned: '已转办',
};

export function taskPages(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  pageRoute(app, { method: 'GET', url: '/tasks/:taskId' }, async ({ req, principal }) => {
    const { taskId } = parsePart(TaskIdParams, req.params, 'params');
    const notice = NOTICES[String((req.query as Record<string, unknown>).ok ?? '')];
    return renderTask(deps, principal, await showTask(ctx, principal, taskId), NO_FORM, notice);
  });

  stepPage(app, deps, {
    url: 'complete',
    form: 'complete',
    files: true,
    run: async ({ call, principal, posted, values, figures }) => {
      const state = await withFiles(ctx, principal, call.taskId, posted.files, (attachments) =>
        completeTask(ctx, principal, httpActor(principal), call.taskId, { by: principal.personId, note: values.note?.trim() || undefined, fields: figures, ...(attachments.length ? { attachments } : {}) }),
      );
      return state.status === 'review' ? `/tasks/${encodeURIComponent(call.taskId)}?ok=submitted` : '/my?ok=completed';
    },
  });

  pageRoute(app, { method: 'POST', url: '/tasks/:taskId/waive', roles: ['admin'] }, async ({ req, reply, principal }) => {
    const { taskId } = parsePart(TaskIdParams, req.params, 'params');
    const reason = ((await readForm(req)).fields.reason ?? '').trim();
    const { reasonLength } = COMPLETION_LIMITS;
    if (!reason || reason.length > reasonLength) {
      reply.code(400);
      const error = reason ? `免除原因最多 ${reasonLength} 字,现有 ${reason.length} 字` : '免除原因不能为空';
      return renderTask(deps, principal, await showTask(ctx, principal, taskId), { form: 'waive', values: { reason }, errors: { reason: error }, message: '请按提示修改后再提交' });
    }
    await waiveTask(ctx, principal, httpActor(principal), taskId, { by: principal.personId, reason });
    seeOther(reply, `/tasks/${encodeURIComponent(taskId)}?ok=waived`);
    return undefined;
  });

  taskStepPages(app, deps);
}
