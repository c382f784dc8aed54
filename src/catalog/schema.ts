import { z } from 'zod';
import type {
  Assignment,
  AttachmentSpec,
  CompletionField,
  CompletionSpec,
  DeadlineRule,
  Duty,
  DutyVersion,
  EscalationPolicy,
  FieldType,
  OpeningRule,
  Phase,
  Recurrence,
  ReminderPolicy,
  SeasonWindow,
  ShiftPolicy,
  Target,
  VersionedField,
} from '../shared/types';
import { VERSIONED_FIELDS } from '../shared/types';
import {
  calendarDate,
  camelKey,
  clockTime,
  duplicates,
  enumOf,
  kebabId,
  month,
  nonNegativeInt,
  positiveInt,
  solarTerm,
  text,
  unlessMissing,
  workingHoursTime,
} from '../validation/primitives';
import { roleSchema, unitKindSchema } from '../roster/schema';
import { formatPath } from '../validation/yamlSource';
import { COMPLETION_LIMITS } from '../shared/completion';
import { ATTACHMENT_KINDS, EVIDENCE_DEFAULTS } from '../shared/evidence';

/**
 * Schema of one duty in `duties/*.yaml`. Each exported schema `satisfies z.ZodType<T>` for its type in
 * src/shared/types.ts, so a drift between the YAML format and the domain types fails to compile.
 */

const FIELD_TYPES = ['integer', 'number', 'text', 'boolean', 'date'] as const satisfies readonly FieldType[];
const SHIFTS = ['next-working-day', 'previous-working-day', 'none'] as const satisfies readonly ShiftPolicy[];
const KINDS = ['monthly', 'quarterly', 'half-yearly', 'yearly', 'seasonal', 'triggered'] as const;


// Written as optional keys plus a rule instead of a zod union, so a typo in one key gets its own precise message.
export const seasonWindowSchema = z
  .strictObject({
    fromMonth: month.optional(),
    toMonth: month.optional(),
    fromTerm: solarTerm.optional(),
    toTerm: solarTerm.optional(),
  })
  .superRefine((w, ctx) => {
    const byMonth = w.fromMonth !== undefined || w.toMonth !== undefined;
    const byTerm = w.fromTerm !== undefined || w.toTerm !== undefined;
    if (byMonth && byTerm) {
      ctx.addIssue({ code: 'custom', message: '按月份 (fromMonth/toMonth) 与按节气 (fromTerm/toTerm) 只能选一种' });
    } else if (!byMonth && !byTerm) {
      ctx.addIssue({ code: 'custom', message: '必须给出 fromMonth/toMonth 或 fromTerm/toTerm' });
    } else if (byMonth) {
      if (w.fromMonth === undefined) ctx.addIssue({ code: 'custom', path: ['fromMonth'], message: '缺少必填字段' });
      if (w.toMonth === undefined) ctx.addIssue({ code: 'custom', path: ['toMonth'], message: '缺少必填字段' });
    } else {
      if (w.fromTerm === undefined) ctx.addIssue({ code: 'custom', path: ['fromTerm'], message: '缺少必填字段' });
      if (w.toTerm === undefined) ctx.addIssue({ code: 'custom', path: ['toTerm'], message: '缺少必填字段' });
      if (w.fromTerm !== undefined && w.fromTerm === w.toTerm) {
        ctx.addIssue({ code: 'custom', path: ['toTerm'], message: '起止节气不能相同' });
      }
    }
  })
  .transform((w): SeasonWindow => {
    if (w.fromTerm !== undefined && w.toTerm !== undefined) return { fromTerm: w.fromTerm, toTerm: w.toTerm };
    // The refinement above guarantees both months here; the fallbacks are never used.
    return { fromMonth: w.fromMonth ?? 1, toMonth: w.toMonth ?? 12 };
  }) satisfies z.ZodType<SeasonWindow>;

const kindMessage = `周期类型必须是 ${KINDS.join(' / ')} 之一`;
export const recurrenceSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('monthly') }),
    z.strictObject({ kind: z.literal('quarterly') }),
    z.strictObject({ kind: z.literal('half-yearly') }),
    z.strictObject({ kind: z.literal('yearly') }),
    z.strictObject({ kind: z.literal('seasonal'), season: kebabId, window: seasonWindowSchema }),
    z.strictObject({
      kind: z.literal('triggered'),
      event: kebabId,
      count: positiveInt,
      everyMonths: positiveInt.max(12, '间隔月数不能超过 12'),
    }),
  ],
  { error: (issue) => (issue.input === undefined ? undefined : kindMessage) },
) satisfies z.ZodType<Recurrence>;

export const deadlineSchema = z
  .strictObject({
    day: positiveInt.optional(),
    endOfPeriod: z.literal(true, { error: 'endOfPeriod 只能写 true' }).optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.day === undefined) === (d.endOfPeriod === undefined)) {
      ctx.addIssue({ code: 'custom', message: '必须且只能给出 day (周期第几天) 或 endOfPeriod: true 之一' });
    }
  })
  .transform((d): DeadlineRule => (d.day !== undefined ? { day: d.day } : { endOfPeriod: true })) satisfies z.ZodType<DeadlineRule>;

export const openingSchema = z
  .strictObject({
    atPeriodStart: z.literal(true, { error: 'atPeriodStart 只能写 true' }).optional(),
    daysBeforeDue: nonNegativeInt.optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.atPeriodStart === undefined) === (o.daysBeforeDue === undefined)) {
      ctx.addIssue({ code: 'custom', message: '必须且只能给出 atPeriodStart: true 或 daysBeforeDue 之一' });
    }
  })
  .transform(
    (o): OpeningRule => (o.daysBeforeDue !== undefined ? { daysBeforeDue: o.daysBeforeDue } : { atPeriodStart: true }),
  ) satisfies z.ZodType<OpeningRule>;

export const assignmentSchema = z
  .strictObject({
    unitKinds: z.array(unitKindSchema).min(1).optional(),
    units: z.array(kebabId).min(1).optional(),
    tags: z.array(kebabId).min(1).optional(),
    role: roleSchema,
    per: enumOf(['unit', 'person'], '分派方式'),
  })
  .superRefine((a, ctx) => {
    if (a.unitKinds === undefined && a.units === undefined) {
      ctx.addIssue({ code: 'custom', message: '必须给出 unitKinds (按单位类型) 或 units (指定单位)' });
    }
    if (a.tags !== undefined && a.unitKinds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tags'], message: 'tags 用于筛选 unitKinds, 必须与 unitKinds 一起使用' });
    }
    for (const { index } of duplicates(a.units ?? [], (u) => u)) {
      ctx.addIssue({ code: 'custom', path: ['units', index], message: '单位重复', input: a.units?.[index] });
    }
  }) satisfies z.ZodType<Assignment>;

/** Without the default: a version that leaves `reminders` out keeps the ones before it. */
const reminderRules = z
  .strictObject({
    workingDaysBefore: z.array(nonNegativeInt).default(() => [3, 1]),
    onDueDay: z.boolean().default(true),
    sendAt: workingHoursTime.default('09:00'),
  })
  .superRefine((r, ctx) => {
    for (const { index } of duplicates(r.workingDaysBefore, (d) => d)) {
      ctx.addIssue({ code: 'custom', path: ['workingDaysBefore', index], message: '提醒天数重复' });
    }
  }) satisfies z.ZodType<ReminderPolicy>;

export const reminderSchema = reminderRules.default(() => ({ workingDaysBefore: [3, 1], onDueDay: true, sendAt: '09:00' })) satisfies z.ZodType<ReminderPolicy>;

const escalationRules = z
  .strictObject({
    levels: z
      .array(z.strictObject({ afterWorkingDays: nonNegativeInt }))
      .min(1, '至少需要一个升级层级')
      .default(() => [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }]),
    repeatEveryWorkingDays: positiveInt.default(2),
  })
  .superRefine((e, ctx) => {
    e.levels.forEach((level, i) => {
      const previous = e.levels[i - 1];
      if (previous !== undefined && level.afterWorkingDays < previous.afterWorkingDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['levels', i, 'afterWorkingDays'],
          message: `升级天数不能小于上一级 (${previous.afterWorkingDays})`,
        });
      }
    });
  }) satisfies z.ZodType<EscalationPolicy>;

export const escalationSchema = escalationRules.default(() => ({
  levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }],
  repeatEveryWorkingDays: 2,
})) satisfies z.ZodType<EscalationPolicy>;

export const completionFieldSchema = z
  .strictObject({
    key: camelKey.max(COMPLETION_LIMITS.keyLength, `字段名最多 ${COMPLETION_LIMITS.keyLength} 个字符`),
    label: text,
    type: enumOf(FIELD_TYPES, '字段类型'),
    required: z.boolean().default(false),
    min: z.number().optional(),
    max: z.number().optional(),
    unit: text.optional(),
    notBefore: enumOf(['periodStart'], '日期下限(notBefore)').optional(),
    notAfter: enumOf(['today', 'periodEnd'], '日期上限(notAfter)').optional(),
  })
  .superRefine((f, ctx) => {
    const numeric = f.type === 'integer' || f.type === 'number';
    for (const bound of ['min', 'max'] as const) {
      if (f[bound] !== undefined && !numeric) {
        ctx.addIssue({ code: 'custom', path: [bound], message: '只有 integer / number 类型的字段可以设置 min / max' });
      }
    }
    for (const bound of ['notBefore', 'notAfter'] as const) {
      if (f[bound] !== undefined && f.type !== 'date') {
        ctx.addIssue({ code: 'custom', path: [bound], message: '只有 date 类型的字段可以设置 notBefore / notAfter' });
      }
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max 不能小于 min (${f.min})` });
    }
  }) satisfies z.ZodType<CompletionField>;

const completionRuleSchema = z.strictObject({
  field: camelKey,
  op: enumOf(['<=', '<', '>=', '>'], '比较符'),
  other: camelKey,
});

const MAX_EVIDENCE = EVIDENCE_DEFAULTS.maxFiles;

/** Evidence (佐证材料): `min` counts only when `required`, so it is refused on an optional one instead of ignored. */
export const attachmentSpecSchema = z
  .strictObject({
    required: z.boolean().default(false),
    min: nonNegativeInt.max(MAX_EVIDENCE, `不能超过 ${MAX_EVIDENCE} (每次提交最多 ${MAX_EVIDENCE} 个附件)`).optional(),
    kinds: z.array(enumOf(ATTACHMENT_KINDS, '附件类型')).min(1, '至少列出一种附件类型').default(() => [...ATTACHMENT_KINDS]),
  })
  .superRefine((a, ctx) => {
    if (a.required && a.min === 0) ctx.addIssue({ code: 'custom', path: ['min'], input: a.min, message: 'required: true 时 min 至少为 1' });
    if (!a.required && a.min !== undefined && a.min > 0) {
      ctx.addIssue({ code: 'custom', path: ['min'], input: a.min, message: 'min 只在 required: true 时生效; 要求附件请写 required: true' });
    }
    for (const { index } of duplicates(a.kinds, (k) => k)) ctx.addIssue({ code: 'custom', path: ['kinds', index], input: a.kinds[index], message: '附件类型重复' });
  })
  .transform((a): AttachmentSpec => ({ required: a.required, min: a.min ?? (a.required ? 1 : 0), kinds: a.kinds })) satisfies z.ZodType<AttachmentSpec>;

export const completionSchema = z
  .strictObject({
    note: enumOf(['optional', 'required'], '说明要求').default('optional'),
    // A completion larger than these limits would be refused at the door, so the catalog cannot ask for one.
    fields: z.array(completionFieldSchema).max(COMPLETION_LIMITS.fields, `最多 ${COMPLETION_LIMITS.fields} 个字段`).default(() => []),
    rules: z.array(completionRuleSchema).max(COMPLETION_LIMITS.fields, `最多 ${COMPLETION_LIMITS.fields} 条规则`).optional(),
    attachments: attachmentSpecSchema.optional(),
  })
  .superRefine((c, ctx) => {
    for (const { index, first } of duplicates(c.fields, (f) => f.key)) {
      ctx.addIssue({ code: 'custom', path: ['fields', index, 'key'], message: `字段名重复 (与 fields[${first}] 相同)` });
    }
    // A rule compares two figures of the same kind; anything else could never be checked.
    const kind = (key: string) => {
      const type = c.fields.find((f) => f.key === key)?.type;
      return type === 'integer' || type === 'number' ? 'number' : type;
    };
    (c.rules ?? []).forEach((rule, i) => {
      for (const side of ['field', 'other'] as const) {
        const k = kind(rule[side]);
        if (k === undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, side], input: rule[side], message: '规则引用了未定义的字段' });
        else if (k !== 'number' && k !== 'date') ctx.addIssue({ code: 'custom', path: ['rules', i, side], input: rule[side], message: '只能比较数字或日期字段' });
      }
      if (rule.field === rule.other) ctx.addIssue({ code: 'custom', path: ['rules', i, 'other'], message: '不能与自身比较' });
      else if (kind(rule.field) !== kind(rule.other)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'other'], message: '比较的两个字段类型不同' });
    });
  }) satisfies z.ZodType<CompletionSpec>;

const DEFAULT_COMPLETION = (): CompletionSpec => ({ note: 'optional', fields: [] });

export const phaseSchema = z.strictObject({
  id: kebabId,
  title: text,
  deadline: deadlineSchema,
  completion: completionSchema.optional(),
  assignTo: assignmentSchema.optional(),
}) satisfies z.ZodType<Phase>;

const targetSchema = z.strictObject({
  tag: kebabId,
  label: text,
  field: camelKey,
  atLeast: z.number({ error: unlessMissing('必须是数字') }),
  share: z.number({ error: unlessMissing('必须是 0–1 之间的比例') }).gt(0, '必须大于 0').max(1, '不能大于 1'),
}) satisfies z.ZodType<Target>;

const KIND_NAMES: Record<Recurrence['kind'], string> = {
  monthly: '按月',
  quarterly: '按季度',
  'half-yearly': '按半年',
  yearly: '按年',
  seasonal: '按季节',
  triggered: '按事件触发',
};

/** The longest period a deadline day may fall in: 31 days a month, 92 a quarter, 184 a half-year, 366 a year. */
function maxDay(recurrence: Recurrence): number {
  switch (recurrence.kind) {
    case 'monthly':
      return 31;
    case 'quarterly':
      return 92;
    case 'half-yearly':
      return 184;
    case 'yearly':
    case 'seasonal':
      return 366;
    case 'triggered':
      return Math.min(366, recurrence.everyMonths * 31);
  }
}

function sameDeadline(a: DeadlineRule, b: DeadlineRule): boolean {
  return 'day' in a ? 'day' in b && a.day === b.day : 'endOfPeriod' in b;
}

const shiftSchema = enumOf(SHIFTS, '顺延规则');
const phasesSchema = z.array(phaseSchema).min(1, '至少需要一个阶段');
// 办结审核: a completion waits for a supervisor of the unit before the task closes.
const reviewSchema = z.literal('supervisor', { error: 'review 只能是 supervisor(办结须经督查人员审核),不需审核时请省略' });
const acknowledgeSchema = z.strictObject({
  withinWorkingHours: z.number().int('须为整数').min(1, '至少 1 个工作小时').max(240, '最多 240 个工作小时'),
});

/** The fields whose rules involve one another, on a duty or on the duty as a version leaves it. */
type Terms = Pick<Duty, 'recurrence' | 'completion' | 'targets' | 'phases'> & { deadline?: DeadlineRule };

interface TermIssue {
  path: (string | number)[];
  message: string;
  input?: unknown;
}

function termIssues(d: Terms): TermIssue[] {
  const issues: TermIssue[] = [];
  (d.targets ?? []).forEach((t, i) => {
    const type = d.completion.fields.find((f) => f.key === t.field)?.type;
    if (type !== 'integer' && type !== 'number') {
      issues.push({ path: ['targets', i, 'field'], input: t.field, message: '目标必须指向本职责 completion 中的数字字段' });
    }
  });
  const limit = maxDay(d.recurrence);
  const checkDay = (rule: DeadlineRule | undefined, path: (string | number)[]) => {
    if (rule !== undefined && 'day' in rule && rule.day > limit) {
      issues.push({ path: [...path, 'day'], input: rule.day, message: `${KIND_NAMES[d.recurrence.kind]}的职责, 截止日 day 不能超过 ${limit}` });
    }
  };
  checkDay(d.deadline, ['deadline']);
  const phases = d.phases ?? [];
  phases.forEach((p, i) => checkDay(p.deadline, ['phases', i, 'deadline']));

  for (const { index, first } of duplicates(phases, (p) => p.id)) {
    issues.push({ path: ['phases', index, 'id'], message: `阶段编号重复 (与 phases[${first}] 相同)` });
  }
  // Phases are listed in time order so that the last one closes the period.
  phases.forEach((p, i) => {
    const previous = phases[i - 1]?.deadline;
    if (previous === undefined) return;
    if ('endOfPeriod' in previous || ('day' in p.deadline && p.deadline.day <= previous.day)) {
      issues.push({ path: ['phases', i, 'deadline'], message: '阶段必须按截止时间先后排列' });
    }
  });

  const last = phases[phases.length - 1];
  if (d.deadline === undefined && last === undefined) {
    issues.push({ path: ['deadline'], message: '缺少必填字段' });
  } else if (d.deadline !== undefined && last !== undefined && !sameDeadline(d.deadline, last.deadline)) {
    issues.push({ path: ['deadline'], message: '有 phases 时, deadline 必须与最后一个阶段的截止规则一致 (可省略)' });
  }
  return issues;
}

/** A field no version may change: the key is accepted only to say why. */
const fixed = (message: string) => z.undefined({ error: message }).optional();

const versionedShape = {
  description: text.optional(),
  assignTo: assignmentSchema.optional(),
  opens: openingSchema.optional(),
  deadline: deadlineSchema.optional(),
  dueTime: clockTime.optional(),
  shift: shiftSchema.optional(),
  reminders: reminderRules.optional(),
  escalation: escalationRules.optional(),
  completion: completionSchema.optional(),
  phases: phasesSchema.optional(),
  urgent: z.boolean().optional(),
  review: reviewSchema.optional(),
  acknowledge: acknowledgeSchema.optional(),
} satisfies Record<VersionedField, z.ZodType>;

/**
 * One effective-dated version: the fields it gives replace the earlier ones whole (a nested field it leaves out takes
 * its default, not the earlier value). A version that gives phases and no deadline closes with its last phase.
 */
export const versionSchema = z
  .strictObject({
    effectiveFrom: calendarDate,
    ...versionedShape,
    id: fixed('版本不能修改职责编号 id'),
    title: fixed('版本不能修改职责名称 title: 全年的任务和报表用同一个名称'),
    source: fixed('版本不能修改依据 source'),
    recurrence: fixed('版本不能修改周期 recurrence: 周期决定计划和任务编号, 请另立一项职责'),
    targets: fixed('版本不能修改 targets: 目标按全年统计'),
    versions: fixed('版本不能嵌套 versions'),
  })
  .transform((v): DutyVersion => {
    const terms = Object.fromEntries(VERSIONED_FIELDS.flatMap((key) => (v[key] === undefined ? [] : [[key, v[key]]]))) as Partial<Pick<Duty, VersionedField>>;
    const lastPhase = terms.phases?.[terms.phases.length - 1];
    if (terms.deadline === undefined && lastPhase !== undefined) terms.deadline = lastPhase.deadline;
    return { effectiveFrom: v.effectiveFrom, ...terms };
  }) satisfies z.ZodType<DutyVersion>;

const versionsSchema = z
  .array(versionSchema)
  .min(1, '至少需要一个版本')
  .superRefine((versions, ctx) => {
    versions.forEach((v, i) => {
      const previous = versions[i - 1];
      if (previous !== undefined && v.effectiveFrom <= previous.effectiveFrom) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'effectiveFrom'],
          input: v.effectiveFrom,
          message: `生效日期必须晚于上一个版本的 ${previous.effectiveFrom} (版本按生效日期先后排列, 日期不能重复)`,
        });
      }
    });
  });

const issueKey = (i: TermIssue) => `${formatPath(i.path)} ${i.message}`;

/**
 * Each version is checked as the duty it leaves: a problem in a field a version set points at that version; a problem
 * the version causes in a field it did not set (e.g. new phases against the old deadline) points at the version itself.
 */
function versionIssues(d: Terms & { versions?: DutyVersion[] }, base: readonly TermIssue[]): TermIssue[] {
  const versions = d.versions ?? [];
  const seen = new Set(base.map(issueKey));
  const found: TermIssue[] = [];
  let terms: Terms = d;
  versions.forEach((version, j) => {
    const { effectiveFrom, ...fields } = version;
    terms = { ...terms, ...fields };
    for (const issue of termIssues(terms)) {
      let setter = -1;
      for (let k = j; k >= 0 && setter < 0; k--) if (String(issue.path[0]) in (versions[k] ?? {})) setter = k;
      const located =
        setter >= 0
          ? { ...issue, path: ['versions', setter, ...issue.path] }
          : { path: ['versions', j], message: `自 ${effectiveFrom} 起, ${formatPath(issue.path)}: ${issue.message}` };
      // Later versions inherit a problem (and the base's are reported already): each is reported once, where it first appears.
      const key = issueKey(setter >= 0 ? located : issue);
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(located);
    }
  });
  return found;
}

export const dutySchema = z
  .strictObject({
    id: kebabId,
    title: text,
    description: text,
    source: text,
    recurrence: recurrenceSchema,
    assignTo: assignmentSchema,
    opens: openingSchema.default(() => ({ atPeriodStart: true as const })),
    // Optional only for phased duties, whose deadline is their last phase's.
    deadline: deadlineSchema.optional(),
    dueTime: clockTime.default('18:00'),
    shift: shiftSchema.default('next-working-day'),
    reminders: reminderSchema,
    escalation: escalationSchema,
    completion: completionSchema.default(DEFAULT_COMPLETION),
    phases: phasesSchema.optional(),
    urgent: z.boolean().optional(),
    targets: z.array(targetSchema).min(1).optional(),
    review: reviewSchema.optional(),
    acknowledge: acknowledgeSchema.optional(),
    versions: versionsSchema.optional(),
  })
  .superRefine((d, ctx) => {
    const base = termIssues(d);
    for (const issue of [...base, ...versionIssues(d, base)]) ctx.addIssue({ code: 'custom', ...issue });
  })
  .transform((d): Duty => {
    const { deadline, phases, urgent, targets, review, acknowledge, versions, ...rest } = d;
    const duty: Duty = { ...rest, deadline: deadline ?? phases?.[phases.length - 1]?.deadline ?? { endOfPeriod: true } };
    if (review !== undefined) duty.review = review;
    if (acknowledge !== undefined) duty.acknowledge = acknowledge;
    if (phases !== undefined) duty.phases = phases;
    if (urgent !== undefined) duty.urgent = urgent;
    if (targets !== undefined) duty.targets = targets;
    if (versions !== undefined) duty.versions = versions;
    return duty;
  }) satisfies z.ZodType<Duty>;

/** The outer shape of a duties file; duties are validated one by one so one bad duty does not hide another's problems. */
export const dutiesFileSchema = z.strictObject({ duties: z.array(z.unknown()) });
