import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../auth/principal';
import type { ServiceContext } from '../../services/context';
import { acknowledgeTask, decideExtension, reassignTask, reportProgress, requestExtension, reviewTask } from '../../services/taskSteps';
import type { StepCall } from '../../services/tasks';
import type { HttpDeps } from '../types';
import { ExtensionBody, ExtensionDecisionBody, FiguresForm, figuresFromForm, ProgressBody, ReassignBody, ReviewBody, TaskIdParams, TaskStateSchema } from './schemas';
import { COMPLETE_BODY_LIMIT, httpActor, withFiles } from './tasks';

/**
 * The 督办 steps over HTTP. The acting person is always the signed-in one; the service checks them against the
 * roster (unit side or supervisor), and a task outside their jurisdiction is "not found" as everywhere else.
 */

export function stepCall(ctx: ServiceContext, principal: Principal, taskId: string): StepCall {
  return { ctx, viewer: principal, actor: httpActor(principal), taskId };
}

export function taskStepApi(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  const common = { tag: '任务', access: 'signed-in', params: TaskIdParams, response: TaskStateSchema } as const;
  deps.api.add(app, {
    ...common,
    method: 'POST',
    url: '/api/tasks/:taskId/ack',
    summary: '签收任务(责任人、同单位人员或管理员;重复签收不重复记录)',
    handler: async ({ params, principal }) => acknowledgeTask(stepCall(ctx, principal!, params.taskId), principal!.personId),
  });
  deps.api.add(app, {
    ...common,
    method: 'POST',
    url: '/api/tasks/:taskId/progress',
    summary: '反馈进展:进展情况(必填)、阶段性数据(选填);也可用 multipart/form-data 同时上传佐证材料',
    body: ProgressBody,
    bodyLimit: COMPLETE_BODY_LIMIT,
    multipart: { form: FiguresForm, fromForm: figuresFromForm },
    handler: async ({ params, body, files, principal }) =>
      withFiles(ctx, principal!, params.taskId, files, (attachments) =>
        reportProgress(stepCall(ctx, principal!, params.taskId), { by: principal!.personId, note: body.note, fields: body.fields ?? {}, ...(attachments.length ? { attachments } : {}) }),
      ),
  });
  deps.api.add(app, {
    ...common,
    method: 'POST',
    url: '/api/tasks/:taskId/extension',
    summary: '申请延期(责任人、同单位人员或管理员):新的截止日期须晚于当前截止日、不早于今天,职责要求顺延时须为工作日',
    body: ExtensionBody,
    handler: async ({ params, body, principal }) => requestExtension(stepCall(ctx, principal!, params.taskId), { by: principal!.personId, dueOn: body.dueOn, reason: body.reason }),
  });
  deps.api.add(app, {
    ...common,
    method: 'POST',
    url: '/api/tasks/:taskId/extension/decision',
    summary: '审批延期申请(该单位的督查人员或管理员):批准时可缩短申请的日期,驳回时须说明原因',
    body: ExtensionDecisionBody,
    handler: async ({ params, body, principal }) => decideExtension(stepCall(ctx, principal!, params.taskId), { by: principal!.personId, ...body }),
  });
  deps.api.add(app, {
    ...common,
    method: 'POST',
    url: '/api/tasks/:taskId/review',
    summary: '办结审核(该单位的督查人员或管理员,不能审核本人的登记):通过则任务办结;退回须说明原因,可给出新的截止日期',
    body: ReviewBody,
    handler: async ({ params, body, principal }) => reviewTask(stepCall(ctx, principal!, params.taskId), { by: principal!.personId, ...body }),
  });
  deps.api.add(app, {
    ...common,
    method: 'POST',
    url: '/api/tasks/:taskId/reassign',
    summary: '转办(该单位的督查人员或管理员):交给本单位或您督查的单位中的其他人员,须说明原因',
    body: ReassignBody,
    handler: async ({ params, body, principal }) => reassignTask(stepCall(ctx, principal!, params.taskId), { by: principal!.personId, to: body.to, reason: body.reason }),
  });
}
