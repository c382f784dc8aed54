import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { applyCatalog, backfillDuty, dutyStatuses, pauseDuty, planCatalog, previewOccurrences, resumeDuty, triggerDuty } from '../../services/duties';
import type { HttpDeps } from '../types';
import { ApplyBody, BackfillBody, DutyIdParams, DutyStatusSchema, OccurrenceSchema, RangeQuery, ReasonBody } from './schemas';
import { httpActor } from './tasks';

const Holder = z.object({ personId: z.string(), unitId: z.string() });
const Changes = z.object({
  changes: z.array(z.object({ kind: z.enum(['create', 'update', 'delete', 'unchanged']), scheduleId: z.string(), dutyId: z.string(), title: z.string().optional() })),
  /** For each new schedule, its period under way: opened at once (`open`), or left closed because its deadline passed. */
  onboarding: z.array(z.object({ dutyId: z.string(), period: z.string(), periodStart: z.string(), action: z.enum(['open', 'missed']), lastDueAt: z.string() })),
  /** Open tasks whose holder left or moved: they pass by 转办 on apply; `to` is absent when the unit has nobody. */
  rosterMoves: z.array(z.object({ taskId: z.string(), dutyId: z.string(), from: Holder, to: Holder.optional(), reason: z.string() })),
  /** Effective-dated versions of the duties whose schedules change: what each changes, and the first period it reaches. */
  versions: z.array(
    z.object({
      dutyId: z.string(),
      effectiveFrom: z.string(),
      firstPeriod: z.object({ label: z.string(), start: z.string(), end: z.string() }).optional(),
      firstPeriodBegun: z.boolean(),
      fields: z.array(z.object({ field: z.string(), before: z.string(), after: z.string() })),
    }),
  ),
  /** Open tasks of duties no longer in the catalog: they run on (`kept`); only `duty apply --close-open-tasks` waives them. */
  retired: z.array(
    z.object({ taskId: z.string(), dutyId: z.string(), dutyTitle: z.string(), period: z.string(), assignee: z.string(), dueOn: z.string(), outcome: z.enum(['kept', 'to-close', 'waived', 'refused']), message: z.string().optional() }),
  ),
});
const Ok = z.object({ ok: z.literal(true) });

export function dutyApi(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  deps.api.add(app, {
    method: 'GET',
    url: '/api/duties',
    tag: '职责',
    summary: '各职责与其计划状态(运行中 / 已暂停及原因 / 未应用 / 事件触发)、下次开启时间',
    access: ['admin', 'supervisor'],
    response: z.array(DutyStatusSchema),
    handler: async () =>
      (await dutyStatuses(ctx)).map((s) => ({
        dutyId: s.duty.id,
        title: s.duty.title,
        source: s.duty.source,
        state: s.state,
        note: s.note,
        nextActionTimes: s.nextActionTimes,
        ...(s.notOpened ? { notOpened: { period: s.notOpened.period, periodStart: s.notOpened.periodStart, lastDueAt: s.notOpened.lastDueAt } } : {}),
      })),
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/duties/:dutyId/preview',
    tag: '职责',
    summary: '日期范围内每个周期的开始、调整后截止、提醒时间和暂定标记',
    access: 'signed-in',
    params: DutyIdParams,
    query: RangeQuery,
    response: z.array(OccurrenceSchema),
    handler: async ({ params, query }) => (await previewOccurrences(ctx, params.dutyId, query.from, query.to, ctx.calendar())).occurrences,
  });
  deps.api.add(app, {
    method: 'POST',
    url: '/api/duties/:dutyId/pause',
    tag: '职责',
    summary: '暂停职责计划(不再生成新周期的任务)',
    access: ['admin'],
    params: DutyIdParams,
    body: ReasonBody,
    response: Ok,
    handler: async ({ params, body, principal }) => {
      await pauseDuty(ctx, httpActor(principal!), params.dutyId, body.reason);
      return { ok: true };
    },
  });
  for (const [verb, run, summary] of [
    ['resume', resumeDuty, '恢复已暂停的职责计划'],
    ['trigger', triggerDuty, '立即为当前周期生成任务(已存在的任务不会重复生成)'],
  ] as const) {
    deps.api.add(app, {
      method: 'POST',
      url: `/api/duties/:dutyId/${verb}`,
      tag: '职责',
      summary,
      access: ['admin'],
      params: DutyIdParams,
      response: Ok,
      handler: async ({ params, principal }) => {
        await run(ctx, httpActor(principal!), params.dutyId);
        return { ok: true };
      },
    });
  }
  deps.api.add(app, {
    method: 'POST',
    url: '/api/duties/:dutyId/backfill',
    tag: '职责',
    summary: '补生成停机期间错过的周期',
    access: ['admin'],
    params: DutyIdParams,
    body: BackfillBody,
    response: Ok,
    handler: async ({ params, body, principal }) => {
      await backfillDuty(ctx, httpActor(principal!), params.dutyId, body.from, body.to);
      return { ok: true };
    },
  });
  deps.api.add(app, {
    method: 'GET',
    url: '/api/catalog/plan',
    tag: '职责',
    summary: '应用职责目录将做的变更(不修改)',
    access: ['admin'],
    response: Changes,
    handler: async () => planCatalog(ctx),
  });
  deps.api.add(app, {
    method: 'POST',
    url: '/api/catalog/apply',
    tag: '职责',
    summary: '把服务器上的职责目录同步为 Temporal 计划;dryRun 只返回变更',
    access: ['admin'],
    body: ApplyBody,
    response: Changes,
    handler: async ({ body, principal }) => applyCatalog(ctx, httpActor(principal!), undefined, Boolean(body.dryRun)),
  });
}
