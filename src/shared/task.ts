import type { FieldValue, RawFieldValue } from './completion';
import type { ChannelName, CompletionSpec, EscalationPolicy, FollowUpKind, IsoInstant, LocalTime, Occurrence } from './types';
import type { TaskStatus } from './searchAttributes';

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
