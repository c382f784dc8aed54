/**
 * The `dutyTask` workflow's contract: type name, id, input, state, and its updates, query and the signal it sends
 * its parent. Clients, activities and pages import this module, never the workflow file.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FieldValue, RawFieldValue } from '../shared/completion';
import type { ChannelName, CompletionSpec, EscalationPolicy, FollowUpKind, IsoInstant, LocalTime, Occurrence } from '../shared/types';
import type { TaskStatus } from '../shared/searchAttributes';

export const TASK_WORKFLOW_TYPE = 'dutyTask';

/** `task:monthly-data-import:2026-03:dept-edu`, with the phase before the owner when the duty has phases. */
export function taskWorkflowId(dutyId: string, period: string, owner: string, phase?: string): string {
  return ['task', dutyId, period, ...(phase ? [phase] : []), owner].join(':');
}

/** Deterministic per task, kind and sequence number, so a retried send is recognisably the same message. */
export function notificationId(taskId: string, kind: string, seq: number): string {
  return `${taskId}/${kind}-${seq}`;
}

/** What a task workflow needs from its duty; the rest of the duty stays in the catalog. */
export interface TaskDuty {
  id: string;
  title: string;
  completion: CompletionSpec;
  escalation: EscalationPolicy;
  sendAt: LocalTime;
  urgent: boolean;
}

export interface TaskInput {
  taskId: string;
  duty: TaskDuty;
  occurrence: Occurrence;
  assignee: { personId: string; unitId: string };
  /** For people reading the Web UI; ids stay the keys. */
  unitName: string;
  /** Root … own unit: what subtree filters match on. */
  unitPath: string[];
  township?: string;
  /** Ids resolved from the roster when the task opened: who may complete (unit members, admins) and waive (admins). */
  completers: string[];
  admins: string[];
  /** A workflow (revisit programme, monitoring lifecycle) told by signal when this task closes; it may also waive it. */
  parent?: string;
}

export type NotificationKind = 'reminder' | FollowUpKind;

export interface DeliveryRecord {
  notificationId: string;
  kind: NotificationKind;
  level: number;
  personId: string;
  channel: ChannelName | 'none';
  /** `digest`: not sent on its own, the assignee's daily digest lists the task instead. */
  result: 'sent' | 'failed' | 'no-contact' | 'digest';
  plannedAt: IsoInstant;
  sentAt: IsoInstant;
  detail?: string;
}

export interface TaskEvent {
  at: IsoInstant;
  actor: string;
  action: 'opened' | 'overdue' | 'escalated' | 'completed' | 'waived';
  detail?: string;
}

export interface TaskState {
  taskId: string;
  dutyId: string;
  dutyTitle: string;
  period: string;
  phase?: string;
  phaseTitle?: string;
  assignee: { personId: string; unitId: string };
  status: TaskStatus;
  opensOn: string;
  dueOn: string;
  dueAt: IsoInstant;
  provisional: boolean;
  escalationLevel: number;
  completion?: { by: string; at: IsoInstant; note?: string; fields: Record<string, FieldValue> };
  waiver?: { by: string; at: IsoInstant; reason: string };
  deliveries: DeliveryRecord[];
  events: TaskEvent[];
}

export interface CompletionRequest {
  by: string;
  note?: string;
  fields?: Record<string, RawFieldValue>;
}

export interface WaiverRequest {
  by: string;
  reason: string;
}

/** One notification to send: who, why and in which words is decided by the activity from ids. */
export interface NotifyRequest {
  notificationId: string;
  kind: NotificationKind;
  level: number;
  plannedAt: IsoInstant;
  task: Pick<TaskState, 'taskId' | 'dutyId' | 'dutyTitle' | 'period' | 'phaseTitle' | 'dueOn' | 'dueAt' | 'provisional' | 'assignee'> & {
    requiredFields: { key: string; label: string }[];
  };
  urgent: boolean;
}

/** What a dutyTask tells its parent (programme or lifecycle) when it closes. */
export interface TaskClosedEvent {
  taskId: string;
  status: 'done' | 'waived';
  at: IsoInstant;
  by: string;
  fields?: Record<string, FieldValue>;
  note?: string;
  reason?: string;
}

export const completeTaskUpdate = defineUpdate<TaskState, [CompletionRequest]>('complete');
export const waiveTaskUpdate = defineUpdate<TaskState, [WaiverRequest]>('waive');
export const taskStateQuery = defineQuery<TaskState>('state');
/** dutyTask → its parent, set in `TaskInput.parent`. */
export const taskClosedSignal = defineSignal<[TaskClosedEvent]>('taskClosed');
