import { DateTime } from 'luxon';
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../audit/log';
import { ASSESSMENT_SOURCES } from '../../report/assessment';
import { COMPLETION_LIMITS } from '../../shared/completion';
import { ATTACHMENT_KINDS } from '../../shared/evidence';
import { FLAG_NAMES, LIGHT_NAMES, LIGHTS, STATUS_NAMES } from '../../shared/taskStates';
import { rangeTooLong } from '../../services/duties';
import { TASK_FLAGS, TASK_STATUSES } from '../../tasks/query';
import { ZONE } from '../../shared/zone';

/** The same character set the visibility queries accept, so a bad id is refused here and never reaches Temporal. */
export const Id = (what: string) => z.string().trim().min(1, `${what}不能为空`).max(200).regex(/^[A-Za-z0-9_.:-]+$/, `${what}只能含字母、数字和 _ . : -`);

export const LocalDate = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromFormat(v, 'yyyy-MM-dd', { zone: ZONE }).isValid, '日期必须是有效的 YYYY-MM-DD');

const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const TaskIdParams = z.object({ taskId: Id('任务编号') });
export const DutyIdParams = z.object({ dutyId: Id('职责编号') });

/** One 督办 flag to filter by, e.g. `flag=extended`: the lists, the dashboard and the overdue report take it alike. */
export const FlagQuery = optional(z.enum(TASK_FLAGS, { error: `督办标记(flag)必须是 ${TASK_FLAGS.join(' / ')} 之一` }));

/** The most tasks one listing answers with (about 1.7 MB of JSON); more is refused, naming the filters to narrow it. */
export const TASK_LIST_MAX = 5000;
export const TaskListQuery = z.object({
  assignee: optional(Id('人员编号')),
  unit: optional(Id('单位编号')),
  duty: optional(Id('职责编号')),
  period: optional(Id('周期')),
  status: optional(z.enum(TASK_STATUSES as [string, ...string[]], { error: `状态必须是 ${TASK_STATUSES.join(' / ')} 之一` })),
  flag: FlagQuery,
});

const { keyLength, valueLength, noteLength } = COMPLETION_LIMITS;
export const FieldValue = z.union([z.string().max(valueLength), z.number(), z.boolean()]);
export const CompleteBody = z.strictObject({
  note: z.string().max(noteLength, `说明最多 ${noteLength} 字`).optional(),
  fields: z.record(z.string().max(keyLength), FieldValue).optional(),
});
export const ReasonBody = z.strictObject({ reason: z.string().trim().min(1, '原因(reason)不能为空').max(500, '原因最多 500 字') });

// The 督办 steps. Types only: emptiness, lengths and dates are judged by the step services, in the same words for
// every face; the route's body limit bounds what they are given.
const StepReason = z.string().describe(`原因,最多 ${COMPLETION_LIMITS.reasonLength} 字`);
const StepDate = z.string().describe('YYYY-MM-DD;不能早于今天,职责要求顺延时须为工作日');
export const ProgressBody = z.strictObject({
  note: z.string().max(noteLength, `进展情况最多 ${noteLength} 字`).describe('进展情况(必填)'),
  fields: z.record(z.string().max(keyLength), FieldValue).optional().describe('阶段性数据,字段同完成登记,均可不填'),
});
export const ExtensionBody = z.strictObject({ dueOn: StepDate.describe('申请延至 YYYY-MM-DD,须晚于当前截止日'), reason: StepReason });
export const ExtensionDecisionBody = z.strictObject({
  approve: z.boolean().describe('true 批准,false 驳回'),
  dueOn: StepDate.optional().describe('批准的截止日期,默认为申请的日期;只能提前,不能推后'),
  reason: StepReason.optional().describe('驳回原因(驳回时必填)或批准说明'),
});
export const ReviewBody = z.strictObject({
  accept: z.boolean().describe('true 审核通过(任务办结),false 退回重办'),
  reason: StepReason.optional().describe('退回原因(退回时必填)或审核说明'),
  dueOn: StepDate.optional().describe('退回时新的截止日期;不填则沿用原截止日'),
});

/** Figures in a form (the task page, or a multipart API call) are named `f.<key>`, so no figure can be called `note`. */
export const FIGURE_PREFIX = 'f.';

/** A form's text fields as the JSON body `{ note, fields }`; figures left empty are left out, other fields kept. */
export function figuresFromForm(form: Record<string, string>): Record<string, unknown> {
  const rest: Record<string, string> = {};
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    if (!k.startsWith(FIGURE_PREFIX)) rest[k] = v;
    else if (v.trim() !== '') fields[k.slice(FIGURE_PREFIX.length)] = v.trim();
  }
  return { ...rest, ...(rest.note?.trim() ? { note: rest.note.trim() } : { note: undefined }), fields };
}

/** The text fields of a completion or progress form, for the OpenAPI document. */
export const FiguresForm = z
  .looseObject({ note: z.string().optional().describe('情况说明 / 进展情况') })
  .describe(`数据项各占一个表单项,名为 ${FIGURE_PREFIX}<字段名>,如 ${FIGURE_PREFIX}recordsImported=1200;附件为文件项`);
export const ReassignBody = z.strictObject({ to: Id('人员编号').describe('新的责任人编号:本单位或您督查的单位中的人员'), reason: StepReason });

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
  flag: FlagQuery,
  format: optional(z.enum(REPORT_FORMATS, { error: `格式必须是 ${REPORT_FORMATS.join(' / ')} 之一` })),
});
export const DashboardQuery = z.object({ duty: optional(Id('职责编号')), period: optional(Id('周期')), flag: FlagQuery, unit: optional(Id('单位编号')) });
/** The 考核: `year` defaults to this year; `source=history` recomputes it from every task's record and the audit trail. */
export const AssessmentQuery = z.object({
  year: optional(z.string().regex(/^\d{4}$/, '年度(year)必须是四位数字,如 2026').transform(Number)),
  unit: optional(Id('单位编号')),
  source: optional(z.enum(ASSESSMENT_SOURCES, { error: `数据来源(source)必须是 ${ASSESSMENT_SOURCES.join(' / ')} 之一` })),
  format: optional(z.enum(REPORT_FORMATS, { error: `格式必须是 ${REPORT_FORMATS.join(' / ')} 之一` })),
});
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
  flags: z.array(z.enum(TASK_FLAGS)).describe(`督办标记:${TASK_FLAGS.map((f) => `${f} ${FLAG_NAMES[f]}`).join('、')}`),
  extensions: z.number().int().describe('已批准的延期次数'),
  returns: z.number().int().describe('被退回的次数'),
  latestProgress: z.object({ at: z.string(), note: z.string() }).optional().describe('最新进展(最多 100 字)'),
  originalDueOn: z.string().optional().describe('延期前的截止日期'),
  light: z.enum(LIGHTS).describe(`亮灯(红黄绿灯):${LIGHTS.map((l) => `${l} ${LIGHT_NAMES[l]}`).join('、')};黄灯为 DUTY_LIGHT_YELLOW_DAYS 个工作日内到期`),
});
const Stamp = z.string().describe('ISO-8601');
const AttachmentSchema = z.looseObject({
  sha256: z.string(),
  name: z.string(),
  kind: z.enum(ATTACHMENT_KINDS),
  mime: z.string(),
  size: z.number().int(),
  exif: z.looseObject({ takenAt: z.string().optional(), latitude: z.number().optional(), longitude: z.number().optional() }).optional().describe('照片的拍摄时间与地点(如有)'),
});
const Figures = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const CompletionSchema = z.looseObject({ by: z.string(), at: Stamp, note: z.string().optional(), fields: Figures, attachments: z.array(AttachmentSchema).optional() });
/** Loose throughout: a field added to the task state later reaches clients as it is; older tasks lack the 督办 fields. */
export const TaskStateSchema = z.looseObject({
  taskId: z.string(),
  dutyId: z.string(),
  dutyTitle: z.string(),
  period: z.string(),
  phase: z.string().optional(),
  phaseTitle: z.string().optional(),
  status: z.enum(TASK_STATUSES as [string, ...string[]]).describe(TASK_STATUSES.map((s) => `${s} ${STATUS_NAMES[s]}`).join('、')),
  flags: z.array(z.enum(TASK_FLAGS)).optional().describe(`督办标记:${TASK_FLAGS.map((f) => `${f} ${FLAG_NAMES[f]}`).join('、')}`),
  opensOn: z.string(),
  dueOn: z.string(),
  dueAt: Stamp,
  provisional: z.boolean(),
  escalationLevel: z.number().int(),
  assignee: z.object({ personId: z.string(), unitId: z.string() }),
  acknowledged: z.looseObject({ by: z.string(), at: Stamp }).optional().describe('签收'),
  progress: CompletionSchema.optional().describe('最新进展'),
  extension: z
    .looseObject({
      originalDueOn: z.string(),
      originalDueAt: Stamp,
      granted: z.number().int(),
      pending: z.looseObject({ by: z.string(), at: Stamp, dueOn: z.string(), reason: z.string() }).optional(),
      lastDecision: z.looseObject({ by: z.string(), at: Stamp, approved: z.boolean(), dueOn: z.string().optional(), reason: z.string().optional() }).optional(),
    })
    .optional()
    .describe('延期:原截止日期、已批准次数、待审批的申请、最近一次审批'),
  completion: CompletionSchema.optional().describe('办结登记'),
  review: z.looseObject({ by: z.string(), at: Stamp }).optional().describe('审核通过'),
  returned: z
    .array(CompletionSchema.extend({ returnedBy: z.string(), returnedAt: Stamp, reason: z.string() }))
    .optional()
    .describe('被退回的办结登记及原因'),
  previousAssignees: z
    .array(z.looseObject({ personId: z.string(), unitId: z.string(), until: Stamp, by: z.string(), reason: z.string() }))
    .optional()
    .describe('转办前的责任人'),
  waiver: z.looseObject({ by: z.string(), at: Stamp, reason: z.string() }).optional(),
  deliveries: z.array(z.looseObject({})),
  events: z.array(z.looseObject({ at: z.string(), actor: z.string(), action: z.string(), detail: z.string().optional() })),
});
export const OccurrenceSchema = z.looseObject({ period: z.string(), phase: z.string().optional(), opensOn: z.string(), dueOn: z.string(), nominalDueOn: z.string(), dueAt: z.string(), provisional: z.boolean() });
export const DutyStatusSchema = z.object({
  dutyId: z.string(),
  title: z.string(),
  source: z.string(),
  state: z.enum(['running', 'paused', 'unapplied', 'event']),
  note: z.string().optional(),
  nextActionTimes: z.array(z.string()),
  /** The period under way was never opened: its deadline had passed when the duty was applied; `backfill` opens it. */
  notOpened: z.object({ period: z.string(), periodStart: z.string(), lastDueAt: z.string() }).optional(),
});
export const AuditEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  via: z.enum(['cli', 'http', 'system']),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string(),
  unitId: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export const OverdueReportSchema = z.looseObject({ asOf: z.string(), scope: z.object({ unitId: z.string(), unitName: z.string() }), total: z.number(), groups: z.array(z.looseObject({})) });
export const AssessmentReportSchema = z.looseObject({ year: z.number(), asOf: z.string(), source: z.enum(ASSESSMENT_SOURCES), scope: z.object({ unitId: z.string(), unitName: z.string() }), tasks: z.number(), units: z.array(z.looseObject({})) });
