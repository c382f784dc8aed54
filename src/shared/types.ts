/**
 * Domain types shared by the catalog, the calendar, activities and workflows.
 * Sandbox-safe: no Node builtins, no I/O, so workflows may import it.
 * Dates written `YYYY-MM-DD` are local dates in Asia/Shanghai; instants are ISO-8601 strings with +08:00.
 */

export type LocalDate = string;
export type IsoInstant = string;
export type LocalTime = string; // HH:mm

export const SOLAR_TERMS = ['立春', '立夏', '立秋', '立冬'] as const;
export type SolarTerm = (typeof SOLAR_TERMS)[number];

/** A seasonal window, by inclusive month range or by solar terms (from the start term up to the day before the end term). */
export type SeasonWindow =
  | { fromMonth: number; toMonth: number }
  | { fromTerm: SolarTerm; toTerm: SolarTerm };

export type Recurrence =
  | { kind: 'monthly' }
  | { kind: 'quarterly' }
  | { kind: 'half-yearly' }
  | { kind: 'yearly' }
  /** `season` names the period label suffix: `2026-spring`. */
  | { kind: 'seasonal'; season: string; window: SeasonWindow }
  /** Started by an event (e.g. a household's risk cleared), not by a schedule: `count` rounds, every `everyMonths`. */
  | { kind: 'triggered'; event: string; count: number; everyMonths: number };

export type ScheduledRecurrence = Exclude<Recurrence, { kind: 'triggered' }>;

/** Day N of the period (1-based) or the last day of the period. */
export type DeadlineRule = { day: number } | { endOfPeriod: true };

/** When tasks open: at the period's first day, or N calendar days before the (shifted) deadline. */
export type OpeningRule = { atPeriodStart: true } | { daysBeforeDue: number };

export type ShiftPolicy = 'next-working-day' | 'previous-working-day' | 'none';

export interface ReminderPolicy {
  /** Working days before the deadline day, e.g. [3, 1]. */
  workingDaysBefore: number[];
  /** Also remind on the morning of the deadline day. */
  onDueDay: boolean;
  /** Local send time, inside working hours. */
  sendAt: LocalTime;
}

export interface EscalationPolicy {
  /**
   * Level k (1-based, index k-1) starts `afterWorkingDays` working days after the deadline day.
   * Level k notifies the supervisors k-1 steps up the unit's chain (level 1: the unit's own supervisors).
   */
  levels: { afterWorkingDays: number }[];
  /** While still open, repeat the overdue reminder every N working days at `sendAt`. */
  repeatEveryWorkingDays: number;
}

export type FieldType = 'integer' | 'number' | 'text' | 'boolean' | 'date';

export interface CompletionField {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  min?: number;
  max?: number;
  unit?: string;
  /** Date fields only: the earliest date allowed, the first day of the task's period. */
  notBefore?: 'periodStart';
  /** Date fields only: the latest date allowed, the day of completion or the last day of the task's period. */
  notAfter?: 'today' | 'periodEnd';
}

/** A cross-field rule on a completion, e.g. `riskCleared <= householdsScreened`; both fields numeric, or both dates. */
export interface CompletionRule {
  field: string;
  op: '<=' | '<' | '>=' | '>';
  other: string;
}

/** A deadline with everything planned from it: computed with the calendar, recorded by the task's update. */
export interface DeadlinePlan {
  dueOn: LocalDate;
  dueAt: IsoInstant;
  reminders: IsoInstant[];
  provisional: boolean;
}

export type AttachmentKind = 'image' | 'pdf' | 'xlsx' | 'docx';

/** Evidence (佐证材料) a completion must carry: at least `min` files of these kinds when `required`. */
export interface AttachmentSpec {
  required: boolean;
  min: number;
  kinds: AttachmentKind[];
}

export interface CompletionSpec {
  note: 'optional' | 'required';
  fields: CompletionField[];
  rules?: CompletionRule[];
  attachments?: AttachmentSpec;
}

export type UnitKind = 'bureau' | 'township' | 'village' | 'department';
export type Role = 'admin' | 'supervisor' | 'cadre' | 'liaison';

export interface Assignment {
  /** Every unit of these kinds (optionally narrowed by tags), or the listed units. */
  unitKinds?: UnitKind[];
  units?: string[];
  tags?: string[];
  /** Which people in a unit own the task. */
  role: Role;
  /** One task per unit (to its first person with the role) or one per person with the role. */
  per: 'unit' | 'person';
}

export interface Phase {
  id: string;
  title: string;
  deadline: DeadlineRule;
  completion?: CompletionSpec;
  /** Who owns this phase when it differs from the duty (triggered duties: the level above the household's village). */
  assignTo?: Assignment;
}

/** A yearly target read from completions: `share` of the units tagged `tag` reach `atLeast` in `field`. */
export interface Target {
  tag: string;
  label: string;
  field: string;
  atLeast: number;
  share: number;
}

export interface Duty {
  id: string;
  title: string;
  description: string;
  source: string;
  recurrence: Recurrence;
  assignTo: Assignment;
  opens: OpeningRule;
  deadline: DeadlineRule;
  /** Local time of day at which a task turns overdue on its deadline day. */
  dueTime: LocalTime;
  shift: ShiftPolicy;
  reminders: ReminderPolicy;
  escalation: EscalationPolicy;
  completion: CompletionSpec;
  /** Several tasks per period, each with its own deadline (e.g. kick-off, mid-season, summary). */
  phases?: Phase[];
  /** Urgent duties may notify outside working hours. */
  urgent?: boolean;
  targets?: Target[];
  /** `supervisor`: a completion waits for a supervisor's review (办结审核) before the task closes. */
  review?: 'supervisor';
  /** A task not acknowledged (签收) within this many working hours of opening is reported to its supervisors once. */
  acknowledge?: { withinWorkingHours: number };
  /** Terms changed during the year, in date order; the fields above hold until the first of them. */
  versions?: DutyVersion[];
}

/**
 * The fields a catalog version may change. The others name the duty and set its periods (id, title, source,
 * recurrence) or count over the whole year (targets), so changing them mid-year would split one duty in two.
 */
export const VERSIONED_FIELDS = ['description', 'assignTo', 'opens', 'deadline', 'dueTime', 'shift', 'reminders', 'escalation', 'completion', 'phases', 'urgent', 'review', 'acknowledge'] as const;
export type VersionedField = (typeof VERSIONED_FIELDS)[number];

/** Terms for the periods opening on or after `effectiveFrom`; a field it leaves out stays as the versions before it set it. */
export type DutyVersion = { effectiveFrom: LocalDate } & Partial<Pick<Duty, VersionedField>>;

/**
 * The terms a period's tasks opened under: the fingerprint of the duty as it applied to that period, and the date of
 * the version in force (absent: the duty's own fields, before any version).
 */
export interface CatalogVersion {
  fingerprint: string;
  effectiveFrom?: LocalDate;
}

export interface Unit {
  id: string;
  name: string;
  kind: UnitKind;
  parent?: string;
  supervisors: string[];
  tags: string[];
  /** Chat-group robots for the unit and, unless they have their own, the units under it. */
  robots?: UnitRobots;
}

/** Names of environment variables holding the webhook (URL or key) and signing secret, never the secrets themselves. */
export interface UnitRobots {
  wecom?: { webhookEnv: string };
  dingtalk?: { webhookEnv: string; secretEnv?: string };
}

export type ChannelName = 'email' | 'outbox' | 'wecom' | 'dingtalk';

/** One message per task and notice, or one daily digest of all due-soon and overdue tasks. */
export type Delivery = 'per-task' | 'digest';

export interface Person {
  id: string;
  name: string;
  unit: string;
  roles: Role[];
  email?: string;
  chatId?: string;
  channel?: ChannelName;
  /** Personal data: used only for chat @-mentions, never logged. */
  mobile?: string;
  delivery?: Delivery;
}

export interface Roster {
  units: Unit[];
  people: Person[];
}

export interface Catalog {
  duties: Duty[];
  roster: Roster;
  /** From `assessment.yaml` when the catalog has one; otherwise the default rules apply. */
  assessment?: AssessmentRules;
}

/**
 * How the yearly 考核 scores a unit: it starts from `start` and loses points per task (docs/catalog.md, Assessment).
 * Points may have up to two decimals (0.5 is common in county rules).
 */
export interface AssessmentRules {
  start: number;
  deductions: {
    /** Per task completed after the deadline in force (an approved extension moves it). */
    late: number;
    /** Per escalation level a late or never-completed task reached. */
    escalationLevel: number;
    /** Per completion a reviewer sent back (退回). */
    returned: number;
    /** Per task past its deadline and not completed. */
    notCompleted: number;
  };
}

export interface Period {
  label: string; // 2026-03, 2026-Q1, 2026-H1, 2026, 2026-spring
  start: LocalDate;
  end: LocalDate;
}

/** One deadline of a duty: one per period, or one per phase of a period. */
export interface Occurrence {
  dutyId: string;
  period: string;
  phase?: string;
  phaseTitle?: string;
  periodStart: LocalDate;
  periodEnd: LocalDate;
  opensOn: LocalDate;
  opensAt: IsoInstant;
  /** The deadline before shifting. */
  nominalDueOn: LocalDate;
  dueOn: LocalDate;
  dueAt: IsoInstant;
  reminders: IsoInstant[];
  /** True when a date used here falls in a year with no holiday data (weekends only were used). */
  provisional: boolean;
}

export type FollowUpKind = 'overdue' | 'escalation' | 'repeat';

/** A notification after the deadline: the first at the deadline itself, then level changes and repeats. */
export interface FollowUp {
  at: IsoInstant;
  kind: FollowUpKind;
  level: number;
}
