import { DateTime } from 'luxon';
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../audit/log';
import { COMPLETION_LIMITS } from '../../shared/completion';
import { rangeTooLong } from '../../services/duties';
import { TASK_STATUSES } from '../../tasks/query';
import { ZONE } from '../../shared/zone';

/** The same character set the visibility queries accept, so a bad id is refused here and never reaches Temporal. */
export const Id = (what: string) => z.string().trim().min(1, `${what}不能为空`).max(200).regex(/^[A-Za-z0-9_.:-]+$/, `${what}只能含字母、数字和 _ . : -`);

export const LocalDate = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromFormat(v, 'yyyy-MM-dd', { zone: ZONE }).isValid, '日期必须是有效的 YYYY-MM-DD');

const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const TaskIdParams = z.object({ taskId: Id('任务编号') });
export const DutyIdParams = z.object({ dutyId: Id('职责编号') });

/** The most tasks one listing answers with (about 1.7 MB of JSON); more is refused, naming the filters to narrow it. */
export const TASK_LIST_MAX = 5000;
export const TaskListQuery = z.object({
  assignee: optional(Id('人员编号')),
  unit: optional(Id('单位编号')),
  duty: optional(Id('职责编号')),
  period: optional(Id('周期')),
  status: optional(z.enum(TASK_STATUSES as [string, ...string[]], { error: `状态必须是 ${TASK_STATUSES.join(' / ')} 之一` })),
});

const { keyLength, valueLength, noteLength } = COMPLETION_LIMITS;
export const FieldValue = z.union([z.string().max(valueLength), z.number(), z.boolean()]);
export const CompleteBody = z.strictObject({
  note: z.string().max(noteLength, `说明最多 ${noteLength} 字`).optional(),
  fields: z.record(z.string().max(keyLength), FieldValue).optional(),
});
export const ReasonBody = z.strictObject({ reason: z.string().trim().min(1, '原因(reason)不能为空').max(500, '原因最多 500 字') });

/** At most MAX_RANGE_YEARS (3), the rule the duty service applies for every face; refused naming `to`. */
const withinRange = (q: { from: string; to: string }, ctx: z.RefinementCtx) => {
  const tooLong = rangeTooLong(q.from, q.to);
  if (tooLong) ctx.addIssue({ code: 'custom', path: ['to'], message: tooLong });
};
export const RangeQuery = z
  .object({ from: LocalDate, to: LocalDate })
  .refine((q) => q.from <= q.to, { path: ['from'], message: '开始日期(from)不能晚于结束日期(to)' })
  .superRefine(withinRange);
export const BackfillBody = z
  .strictObject({ from: LocalDate, to: LocalDate })
  .refine((q) => q.from <= q.to, { path: ['from'], message: '开始日期(from)不能晚于结束日期(to)' })
  .superRefine(withinRange);
export const ApplyBody = z.strictObject({ dryRun: z.boolean().optional() });

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export const OverdueQuery = z.object({
  unit: optional(Id('单位编号')),
  asOf: optional(LocalDate),
  duty: optional(Id('职责编号')),
  period: optional(Id('周期')),
  format: optional(z.enum(REPORT_FORMATS, { error: `格式必须是 ${REPORT_FORMATS.join(' / ')} 之一` })),
});
export const DashboardQuery = z.object({ duty: optional(Id('职责编号')), period: optional(Id('周期')) });
/** Entries one audit answer carries at most; older ones are reached with `offset` (or a narrower `to`). */
export const AUDIT_PAGE_MAX = 1000;
const count = (what: string, max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce
      .number({ error: `${what}必须是整数` })
      .int(`${what}必须是整数`)
      .min(0, `${what}不能小于 0`)
      .max(max, `${what}不能超过 ${max}`)
      .default(fallback),
  );
export const AuditQuery = z.object({
  unit: optional(Id('单位编号')),
  from: optional(LocalDate),
  to: optional(LocalDate),
  action: optional(z.enum(AUDIT_ACTIONS, { error: '未知的操作类型' })),
  limit: count('每页条数(limit)', AUDIT_PAGE_MAX, AUDIT_PAGE_MAX).refine((n) => n >= 1, '每页条数(limit)至少为 1'),
  offset: count('跳过条数(offset)', 1_000_000, 0),
});

// Response shapes, for the OpenAPI document.
export const ErrorResponse = z.object({ error: z.string(), issues: z.array(z.object({ field: z.string(), message: z.string() })).optional() });
export const TaskSummarySchema = z.object({
  taskId: z.string(),
  dutyId: z.string(),
  dutyTitle: z.string(),
  phaseTitle: z.string().optional(),
  period: z.string(),
  assignee: z.string(),
  unit: z.string(),
  township: z.string().optional(),
  status: z.enum(TASK_STATUSES as [string, ...string[]]),
  dueOn: z.string(),
  dueAt: z.string().describe('ISO-8601'),
  escalationLevel: z.number().int(),
  provisional: z.boolean(),
});
export const TaskStateSchema = z.looseObject({
  taskId: z.string(),
  dutyId: z.string(),
  period: z.string(),
  status: z.string(),
  dueOn: z.string(),
  assignee: z.object({ personId: z.string(), unitId: z.string() }),
  events: z.array(z.looseObject({ at: z.string(), actor: z.string(), action: z.string() })),
});
export const OccurrenceSchema = z.looseObject({ period: z.string(), phase: z.string().optional(), opensOn: z.string(), dueOn: z.string(), nominalDueOn: z.string(), dueAt: z.string(), provisional: z.boolean() });
export const DutyStatusSchema = z.object({
  dutyId: z.string(),
  title: z.string(),
  source: z.string(),
  state: z.enum(['running', 'paused', 'unapplied', 'event']),
  note: z.string().optional(),
  nextActionTimes: z.array(z.string()),
});
export const AuditEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  via: z.enum(['cli', 'http']),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string(),
  unitId: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export const OverdueReportSchema = z.looseObject({ asOf: z.string(), scope: z.object({ unitId: z.string(), unitName: z.string() }), total: z.number(), groups: z.array(z.looseObject({})) });
