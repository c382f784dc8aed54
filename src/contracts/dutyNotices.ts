/**
 * The `dutyNotices` workflow's contract (the herald): one per occurrence of a duty — same period, phase and
 * deadline, so the same reminder and follow-up instants for every task of it. It wakes once per instant and sends
 * every member's notice in a few batched sends, instead of every task waking on its own timer.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { IsoInstant, LocalDate } from '../shared/types';
import type { NotificationKind, NotifyRequest, TaskDuty, TaskInput } from './dutyTask';

export const NOTICES_WORKFLOW_TYPE = 'dutyNotices';

/**
 * `notices:monthly-data-import:2026-03:20260315T0930`: the deadline is part of the id, so a moved one is another
 * herald. A very large occurrence has one herald per township (`…:t-xinhezhen`), so no herald carries more members
 * than fit in one payload.
 */
export function heraldWorkflowId(input: Pick<TaskInput, 'occurrence' | 'township'> & { duty: { id: string } }, perTownship = false): string {
  const o = input.occurrence;
  const due = o.dueAt.replace(/[-:]/g, '').slice(0, 13);
  return ['notices', input.duty.id, o.period, ...(o.phase ? [o.phase] : []), due, ...(perTownship && input.township ? [input.township] : [])].join(':');
}

/** What every member's notices share: the words of the task and the plan of its instants. */
export interface HeraldInput {
  heraldId: string;
  duty: Pick<TaskDuty, 'id' | 'title' | 'escalation' | 'sendAt' | 'urgent'>;
  requiredFields: { key: string; label: string }[];
  occurrence: { period: string; phaseTitle?: string; dueOn: LocalDate; dueAt: IsoInstant; provisional: boolean; reminders: IsoInstant[] };
}

/** One task the herald speaks for, with what the notice needs to find its people. */
export interface HeraldMember {
  taskId: string;
  personId: string;
  unitId: string;
  township?: string;
}

/** One instant of the plan: the notice every member gets, numbered as the task itself would number it. */
export interface PlannedNotice {
  at: IsoInstant;
  kind: 'reminder' | 'overdue' | 'escalation' | 'repeat';
  level: number;
  seq: number;
}

/** A batched send: one instant (or a catch-up of one), for some members. */
export interface NoticeBatch {
  /** Deterministic per herald, instant and batch, so a retried send is recognisably the same messages. */
  batchId: string;
  notice: PlannedNotice;
  /** When the batch is sent: the instant itself, or now for newcomers catching up on the latest one they missed. */
  plannedAt: IsoInstant;
  template: HeraldInput;
  members: HeraldMember[];
}

export interface BatchOutcome {
  notices: number;
  messages: number;
  sent: number;
  failed: number;
  digest: number;
}

/** Where the herald's plan stands: the next reminder, and the follow-ups read ahead. */
export interface PlanCursor {
  reminderIndex: number;
  followUpsAfter?: IsoInstant;
  followUpSeq: number;
  buffered: PlannedNotice[];
  exhausted: boolean;
}

/** Carried across continue-as-new, and by `duty migrate` to another installation. */
export interface HeraldCarry {
  members: HeraldMember[];
  left: string[];
  cursor: PlanCursor;
  latest?: PlannedNotice;
  sent: number;
  catchUps: number;
  /** Members still to get the latest notice they missed (a migration taken while their catch-up was under way). */
  newcomers?: HeraldMember[];
}

export const enrollSignal = defineSignal<[{ members: HeraldMember[] }]>('enroll');
export const leaveSignal = defineSignal<[{ taskId: string }]>('leave');
export const heraldMembersQuery = defineQuery<{ members: number; sent: number; next?: IsoInstant }>('members');
/** What `duty migrate` reads: the herald's terms and where its plan stands; a batch under way is not counted as sent. */
export const heraldHandoverQuery = defineQuery<{ input: HeraldInput; carry: HeraldCarry }>('handover');

/** A member's notice as the single-task notifier sees it, with the task's own notification id. */
export function memberRequest(batch: NoticeBatch, member: HeraldMember, notificationId: string): NotifyRequest {
  const t = batch.template;
  return {
    notificationId,
    kind: batch.notice.kind satisfies NotificationKind,
    level: batch.notice.level,
    plannedAt: batch.plannedAt,
    urgent: t.duty.urgent,
    task: {
      taskId: member.taskId,
      dutyId: t.duty.id,
      dutyTitle: t.duty.title,
      period: t.occurrence.period,
      phaseTitle: t.occurrence.phaseTitle,
      dueOn: t.occurrence.dueOn,
      dueAt: t.occurrence.dueAt,
      provisional: t.occurrence.provisional,
      assignee: { personId: member.personId, unitId: member.unitId },
      requiredFields: t.requiredFields,
    },
  };
}

/** The herald's terms, taken from a task's input: tasks of one occurrence share them all. */
export function heraldInputFor(task: TaskInput & { herald: string }): HeraldInput {
  const o = task.occurrence;
  return {
    heraldId: task.herald,
    duty: { id: task.duty.id, title: task.duty.title, escalation: task.duty.escalation, sendAt: task.duty.sendAt, urgent: task.duty.urgent },
    requiredFields: task.duty.completion.fields.filter((f) => f.required).map((f) => ({ key: f.key, label: f.label })),
    occurrence: { period: o.period, ...(o.phaseTitle ? { phaseTitle: o.phaseTitle } : {}), dueOn: o.dueOn, dueAt: o.dueAt, provisional: o.provisional, reminders: o.reminders },
  };
}
