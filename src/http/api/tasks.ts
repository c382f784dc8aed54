import { z } from 'zod';
import type { Actor } from '../../audit/log';
import type { Principal } from '../../auth/principal';
import type { AttachmentRef } from '../../contracts/dutyTask';
import type { ServiceContext } from '../../services/context';
import { type Upload, withEvidence } from '../../services/evidence';
import { withLights } from '../../services/lights';
import { completeTask, findTasks, showTask, waiveTask } from '../../services/tasks';
import { COMPLETION_LIMITS } from '../../shared/completion';
import type { TaskStatus } from '../../shared/searchAttributes';
import type { HttpDeps } from '../types';
import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../errors';
import { CompleteBody, FiguresForm, figuresFromForm, ReasonBody, TASK_LIST_MAX, TaskIdParams, TaskListQuery, TaskStateSchema, TaskSummarySchema } from './schemas';

/**
 * The largest legitimate completion: a full note and every field a duty may have, each with the longest key and
 * value, every character escaped as `\uXXXX` (6 bytes), plus quoting and separators. Anything larger is no completion.
 */
const LIMITS = COMPLETION_LIMITS;
export const COMPLETE_BODY_LIMIT = 6 * (LIMITS.noteLength + LIMITS.fields * (LIMITS.keyLength + LIMITS.valueLength)) + 16 * LIMITS.fields + 1024;

export function httpActor(p: Principal): Actor {
  return { id: p.personId, via: 'http' };
}

/** Files, when there are any, are checked and kept only if the step that records them succeeds. */
export function withFiles<T>(ctx: ServiceContext, principal: Principal, taskId: string, files: Upload[], act: (refs: AttachmentRef[]) => Promise<T>): Promise<T> {
  return files.length > 0 ? withEvidence(ctx, principal, taskId, files, act) : act([]);
}

export function taskApi(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  deps.api.add(app, {
    method: 'GET',
    url: '/api/tasks',
    tag: '任务',
    summary: `列出任务(仅限当前账号的管辖范围;unit 含下级单位;flag 按督办标记筛选);超过 ${TASK_LIST_MAX} 项时拒绝,请加筛选条件`,
    access: 'signed-in',
    query: TaskListQuery,
    response: z.array(TaskSummarySchema),
    handler: async ({ query, principal }) => {
      // Reading stops one past the cap, so a county-wide listing costs no more than the cap however many tasks exist.
      const tasks = await findTasks(ctx, principal!, {
        assignee: query.assignee,
        unit: query.unit,
        dutyId: query.duty,
        period: query.period,
        statuses: query.status ? [query.status as TaskStatus] : undefined,
        flags: query.flag ? [query.flag] : undefined,
        limit: TASK_LIST_MAX + 1,
      });
      if (tasks.length > TASK_LIST_MAX) throw new UsageError(`符合条件的任务超过 ${TASK_LIST_MAX} 项(单次列出的上限);请用 unit、duty、period 或 status 缩小范围后再试`);
      return withLights(ctx, tasks);
    },
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/tasks/:taskId',
    tag: '任务',
    summary: '任务详情:状态、经过、通知记录(管辖范围外的任务与不存在的任务一样返回 404)',
    access: 'signed-in',
    params: TaskIdParams,
    response: TaskStateSchema,
    handler: async ({ params, principal }) => showTask(ctx, principal!, params.taskId),
  });
  deps.api.add(app, {
    method: 'POST',
    url: '/api/tasks/:taskId/complete',
    tag: '任务',
    summary: '登记任务完成(办理人即当前账号;所需数据不合格时返回 422 并逐项说明;须审核的职责进入待审核);也可用 multipart/form-data 同时上传佐证材料',
    access: 'signed-in',
    params: TaskIdParams,
    body: CompleteBody,
    bodyLimit: COMPLETE_BODY_LIMIT,
    multipart: { form: FiguresForm, fromForm: figuresFromForm },
    response: TaskStateSchema,
    handler: async ({ params, body, files, principal }) =>
      withFiles(ctx, principal!, params.taskId, files, (attachments) =>
        completeTask(ctx, principal!, httpActor(principal!), params.taskId, { by: principal!.personId, note: body.note, fields: body.fields ?? {}, ...(attachments.length ? { attachments } : {}) }),
      ),
  });
  deps.api.add(app, {
    method: 'POST',
    url: '/api/tasks/:taskId/waive',
    tag: '任务',
    summary: '免除任务(仅管理员)',
    access: ['admin'],
    params: TaskIdParams,
    body: ReasonBody,
    response: TaskStateSchema,
    handler: async ({ params, body, principal }) => waiveTask(ctx, principal!, httpActor(principal!), params.taskId, { by: principal!.personId, reason: body.reason }),
  });
}
