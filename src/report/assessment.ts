import { DateTime } from 'luxon';
import type { TaskAction, TaskEvent, TaskState } from '../contracts/dutyTask';
import type { OrgTree } from '../roster/orgTree';
import type { TaskStatus } from '../shared/searchAttributes';
import type { AssessmentRules, Unit, UnitKind } from '../shared/types';
import { ZONE } from '../shared/zone';
import type { TaskSummary } from '../tasks/query';
import { DEPARTMENTS_GROUP } from './overdue';

/**
 * The yearly 考核, as pure functions: a task read from either source becomes an `AssessedTask`, each task is judged
 * against the rules, and units are scored and ranked from the judgements. Nothing here counts as things happen: the
 * score is recomputed from what the tasks themselves record, every time.
 */

/** `listing`: one visibility listing of the year (fast). `history`: every task's own record plus the audit trail. */
export type AssessmentSource = 'listing' | 'history';
export const ASSESSMENT_SOURCES: AssessmentSource[] = ['listing', 'history'];

/** An entry of the audit trail (src/audit) as far as the 考核 reads it: which step on which task, by whom, when. */
export interface AuditStep {
  at: string;
  actor: string;
  via: string;
  action: string;
  target: string;
}

/** The event that cost points, as the task page's 经过 lists it. */
export interface CostEvent {
  action: TaskAction;
  /** Absent where a listing does not know it (when a level was reached, when a completion was returned). */
  at?: string;
  /** History: the event's place in the task's 经过, counted from 0. */
  index?: number;
  actor?: string;
  detail?: string;
  /** The audit entry of the same step, when the step went through the services (CLI, pages, API). */
  audit?: Pick<AuditStep, 'at' | 'actor' | 'via'>;
}

/** One task as the score sees it, whichever source it was read from. */
export interface AssessedTask {
  taskId: string;
  dutyTitle: string;
  period: string;
  unitId: string;
  status: TaskStatus;
  dueOn: string;
  /** The deadline in force: an approved extension, a return with a new date or a re-plan moved it here. */
  dueAt: string;
  /** The completion that closed the task (with review: when it was submitted, not when it was accepted). */
  completion?: CostEvent;
  /** One event per escalation level reached against the deadline in force, level 1 first. */
  levels: CostEvent[];
  /** One per completion a reviewer sent back. */
  returns: CostEvent[];
  /** When the task became overdue against the deadline in force. */
  overdue?: CostEvent;
  /** Open work whose unit an emergency (紧急情况) suspends right now: its flag `suspended`, as the overdue report reads it. */
  suspended: boolean;
}

/**
 * Where a task stands in the year's score. Counted: `onTime`, `late`, `notCompleted`. Not counted: `waived`,
 * `suspended` (while the emergency lasts), `review` (submitted, waiting for the reviewer: judged once accepted or
 * returned), `notDue`. An emergency's days never count: a suspension moves the deadlines inside its window (the
 * deadline in force) and no escalation happens during it.
 */
export type Outcome = 'onTime' | 'late' | 'notCompleted' | 'waived' | 'suspended' | 'review' | 'notDue';
const COUNTED: Outcome[] = ['onTime', 'late', 'notCompleted'];

export type DeductionKind = keyof AssessmentRules['deductions'];
/** A task's deductions read in this order: what happened to it, the levels it reached, then the returns. */
const DEDUCTION_ORDER: DeductionKind[] = ['late', 'notCompleted', 'escalationLevel', 'returned'];

export interface Deduction {
  kind: DeductionKind;
  points: number;
  taskId: string;
  dutyTitle: string;
  period: string;
  dueOn: string;
  /** For `escalationLevel`: which level. */
  level?: number;
  event?: CostEvent;
}

/** Scores are summed in hundredths so that 0.5-point rules add up exactly. */
const cents = (points: number) => Math.round(points * 100);

export function judge(task: AssessedTask, rules: AssessmentRules, asOf: Date): { outcome: Outcome; deductions: Deduction[] } {
  const outcome = outcomeOf(task, asOf);
  if (!COUNTED.includes(outcome)) return { outcome, deductions: [] };
  const d = rules.deductions;
  const cost = (kind: DeductionKind, event?: CostEvent, level?: number): Deduction => ({
    kind,
    points: d[kind],
    taskId: task.taskId,
    dutyTitle: task.dutyTitle,
    period: task.period,
    dueOn: task.dueOn,
    ...(level !== undefined ? { level } : {}),
    ...(event ? { event } : {}),
  });
  const out: Deduction[] = [];
  if (outcome === 'late') out.push(cost('late', task.completion));
  if (outcome === 'notCompleted') out.push(cost('notCompleted', task.overdue));
  if (outcome !== 'onTime') task.levels.forEach((e, i) => out.push(cost('escalationLevel', e, i + 1)));
  for (const e of task.returns) out.push(cost('returned', e));
  return { outcome, deductions: out.filter((x) => x.points > 0) };
}

function outcomeOf(task: AssessedTask, asOf: Date): Outcome {
  const due = Date.parse(task.dueAt);
  if (task.status === 'waived') return 'waived';
  if (task.suspended) return 'suspended';
  if (task.status === 'review') return 'review';
  if (task.status === 'done') {
    const at = task.completion?.at;
    return at !== undefined && Date.parse(at) > due ? 'late' : 'onTime';
  }
  return due < asOf.getTime() ? 'notCompleted' : 'notDue';
}

// ---- the two sources ----

/** From a visibility listing: the status, deadline, level and returns the task publishes, and when it was completed. */
export function fromSummary(t: TaskSummary, closedAt?: Date): AssessedTask {
  const completedAt = t.completedAt ?? closedAt;
  return {
    taskId: t.taskId,
    dutyTitle: t.phaseTitle ? `${t.dutyTitle}·${t.phaseTitle}` : t.dutyTitle,
    period: t.period,
    unitId: t.unit,
    status: t.status,
    dueOn: t.dueOn,
    dueAt: t.dueAt.toISOString(),
    ...(t.status === 'done' ? { completion: { action: 'completed' as const, ...(completedAt ? { at: completedAt.toISOString() } : {}) } } : {}),
    levels: Array.from({ length: t.escalationLevel }, (_, i) => ({ action: 'escalated' as const, detail: `level ${i + 1}` })),
    returns: Array.from({ length: t.returns }, () => ({ action: 'returned' as const })),
    overdue: { action: 'overdue', at: t.dueAt.toISOString() },
    suspended: t.flags.includes('suspended'),
  };
}

const levelOf = (e: TaskEvent) => Number(/^level (\d+)$/.exec(e.detail ?? '')?.[1] ?? 0);

/**
 * From the task's own record (its query or result) and its audit entries. Only escalations recorded at or after the
 * deadline in force count: those before it were against a deadline since moved (an extension, a return with a new
 * date, a re-plan), which is also when the task's published level goes back to 0.
 */
export function fromState(s: TaskState, audit: readonly AuditStep[] = []): AssessedTask {
  const due = Date.parse(s.dueAt);
  const ref = (e: TaskEvent, index: number, entry?: AuditStep): CostEvent => ({
    action: e.action,
    at: e.at,
    index,
    actor: e.actor,
    ...(e.detail ? { detail: e.detail } : {}),
    ...(entry ? { audit: { at: entry.at, actor: entry.actor, via: entry.via } } : {}),
  });
  const events = s.events.map((e, index) => ({ e, index }));
  const paired = pairAudit(events, audit);
  const levels: CostEvent[] = [];
  for (const { e, index } of events) {
    if (e.action !== 'escalated' || Date.parse(e.at) < due) continue;
    while (levels.length < levelOf(e)) levels.push(ref(e, index));
  }
  const submissions = events.filter(({ e }) => e.action === 'completed' || e.action === 'submitted');
  const last = submissions.at(-1);
  const overdue = events.filter(({ e }) => e.action === 'overdue' && Date.parse(e.at) >= due).at(0);
  return {
    taskId: s.taskId,
    dutyTitle: s.phaseTitle ? `${s.dutyTitle}·${s.phaseTitle}` : s.dutyTitle,
    period: s.period,
    unitId: s.assignee.unitId,
    status: s.status,
    dueOn: s.dueOn,
    dueAt: s.dueAt,
    ...(s.status === 'done' && s.completion && last ? { completion: { ...ref(last.e, last.index, paired.get(last.index)), at: s.completion.at } } : {}),
    levels,
    returns: events.filter(({ e }) => e.action === 'returned').map(({ e, index }) => ref(e, index, paired.get(index))),
    ...(overdue ? { overdue: ref(overdue.e, overdue.index) } : {}),
    suspended: (s.flags ?? []).includes('suspended'),
  };
}

/** Which audit action records the step behind a task event. */
const AUDITED: Partial<Record<TaskAction, string>> = { completed: 'task.complete', submitted: 'task.complete', returned: 'task.review' };
/** The service writes its entry right after the workflow recorded the event. */
const AUDIT_WINDOW_MS = 5 * 60_000;

/** Each event paired with the first unused audit entry of its step written within a few minutes after it. */
function pairAudit(events: { e: TaskEvent; index: number }[], audit: readonly AuditStep[]): Map<number, AuditStep> {
  const oldestFirst = [...audit].sort((a, b) => a.at.localeCompare(b.at));
  const used = new Set<AuditStep>();
  const out = new Map<number, AuditStep>();
  for (const { e, index } of events) {
    const action = AUDITED[e.action];
    if (!action) continue;
    const at = Date.parse(e.at);
    const entry = oldestFirst.find((a) => a.action === action && !used.has(a) && Date.parse(a.at) >= at - 1000 && Date.parse(a.at) - at <= AUDIT_WINDOW_MS);
    if (entry) {
      used.add(entry);
      out.set(index, entry);
    }
  }
  return out;
}

// ---- units ----

/** The units the 考核 ranks, each against the others of its kind. */
export const RANKED_KINDS = ['township', 'village', 'department'] as const satisfies readonly UnitKind[];
export type RankedKind = (typeof RANKED_KINDS)[number];
export const KIND_NAMES: Record<RankedKind, string> = { township: '乡镇/街道', village: '村/社区', department: '市直行业部门' };

export interface UnitScore {
  unitId: string;
  unitName: string;
  kind: RankedKind;
  /** The township a village belongs to (a township is its own); departments are grouped apart. */
  townshipId: string;
  townshipName: string;
  score: number;
  /** Among units of the same kind; equal scores share a rank. */
  rank: number;
  counts: Record<Outcome, number>;
  /** On time ÷ counted tasks; null when nothing was counted. */
  onTimeRate: number | null;
  /** Escalation levels and returns that cost points. */
  levels: number;
  returns: number;
  deductions: Deduction[];
}

export function isRanked(unit: Unit): unit is Unit & { kind: RankedKind } {
  return (RANKED_KINDS as readonly string[]).includes(unit.kind);
}

const noCounts = (): Record<Outcome, number> => ({ onTime: 0, late: 0, notCompleted: 0, waived: 0, suspended: 0, review: 0, notDue: 0 });

/**
 * Every unit given, scored on the tasks assigned to it (a township on its own tasks; its villages rank on theirs),
 * then ranked within its kind: score, then on-time rate, then id. Tasks of other units are ignored.
 */
export function scoreUnits(o: { tasks: readonly AssessedTask[]; units: readonly (Unit & { kind: RankedKind })[]; tree: OrgTree; rules: AssessmentRules; asOf: Date }): UnitScore[] {
  const byUnit = new Map<string, UnitScore>();
  for (const u of o.units) {
    const township = o.tree.township(u.id);
    byUnit.set(u.id, {
      unitId: u.id,
      unitName: u.name,
      kind: u.kind,
      townshipId: township?.id ?? DEPARTMENTS_GROUP.id,
      townshipName: township?.name ?? DEPARTMENTS_GROUP.name,
      score: 0,
      rank: 0,
      counts: noCounts(),
      onTimeRate: null,
      levels: 0,
      returns: 0,
      deductions: [],
    });
  }
  for (const task of o.tasks) {
    const unit = byUnit.get(task.unitId);
    if (!unit) continue;
    const { outcome, deductions } = judge(task, o.rules, o.asOf);
    unit.counts[outcome] += 1;
    unit.deductions.push(...deductions);
  }
  for (const u of byUnit.values()) {
    const counted = COUNTED.reduce((n, k) => n + u.counts[k], 0);
    u.onTimeRate = counted > 0 ? u.counts.onTime / counted : null;
    u.levels = u.deductions.filter((d) => d.kind === 'escalationLevel').length;
    u.returns = u.deductions.filter((d) => d.kind === 'returned').length;
    u.score = (cents(o.rules.start) - u.deductions.reduce((n, d) => n + cents(d.points), 0)) / 100;
    u.deductions.sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.taskId.localeCompare(b.taskId) || DEDUCTION_ORDER.indexOf(a.kind) - DEDUCTION_ORDER.indexOf(b.kind) || (a.level ?? 0) - (b.level ?? 0));
  }
  return rank([...byUnit.values()]);
}

function rank(units: UnitScore[]): UnitScore[] {
  const order = (a: UnitScore, b: UnitScore) =>
    RANKED_KINDS.indexOf(a.kind) - RANKED_KINDS.indexOf(b.kind) || b.score - a.score || (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) || a.unitId.localeCompare(b.unitId);
  const sorted = units.sort(order);
  for (const u of sorted) u.rank = 1 + sorted.filter((o) => o.kind === u.kind && o.score > u.score).length;
  return sorted;
}

/** The instants a year spans in the county's zone: a task belongs to the year its deadline in force falls in. */
export function yearSpan(year: number): { from: Date; to: Date } {
  const from = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: ZONE });
  return { from: from.toJSDate(), to: from.plus({ years: 1 }).toJSDate() };
}

export function inYear(task: Pick<AssessedTask, 'dueAt'>, year: number): boolean {
  const { from, to } = yearSpan(year);
  const at = Date.parse(task.dueAt);
  return at >= from.getTime() && at < to.getTime();
}
