/**
 * The `dutyTask` workflow's contract: type name, id, input, state, and its updates, query and the signal it sends
 * its parent. Clients, activities and pages import this module, never the workflow file.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FieldValue, RawFieldValue } from '../shared/completion';
import type { AttachmentKind, CatalogVersion, ChannelName, CompletionSpec, DeadlinePlan, EscalationPolicy, FollowUpKind, IsoInstant, LocalDate, LocalTime, Occurrence } from '../shared/types';
import type { TaskFlag, TaskStatus } from '../shared/searchAttributes';

export const TASK_WORKFLOW_TYPE = 'dutyTask';

/** `task:monthly-data-import:2026-03:dept-edu`, with the phase before the owner when the duty has phases. */
export function taskWorkflowId(dutyId: string, period: string, owner: string, phase?: string): string {
  return ['task', dutyId, period, ...(phase ? [phase] : []), owner].join(':');
}

/**
 * Deterministic per task, kind and sequence number, so a retried send is recognisably the same message. A deadline
 * re-planned (extension, return) starts a new round, whose notices must not share ids with the first round's.
 */
export function notificationId(taskId: string, kind: string, seq: number, round = 0): string {
  return round > 0 ? `${taskId}/r${round}-${kind}-${seq}` : `${taskId}/${kind}-${seq}`;
}

/** What a task workflow needs from its duty; the rest of the duty stays in the catalog. */
export interface TaskDuty {
  id: string;
  title: string;
  completion: CompletionSpec;
  escalation: EscalationPolicy;
  sendAt: LocalTime;
  urgent: boolean;
  /** `supervisor`: a completion waits for a supervisor's review (待审核) before the task closes. */
  review?: 'supervisor';
  /** Working hours after opening within which the task must be acknowledged (签收), else its supervisors hear once. */
  acknowledgeWithinHours?: number;
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
  /** The catalog version the task opened under (scheduled duties); kept in its memo for `duty audit --target`. */
  catalogVersion?: CatalogVersion;
  /** Emergencies in force over the unit when the task opened (its deadline already moved by them). */
  suspensions?: Suspension[];
  /**
   * The herald (`dutyNotices`) that sends this task's reminders and follow-ups together with its occurrence's other
   * tasks. The task sends them itself once it leaves: a new deadline, another holder, an emergency, a review.
   */
  herald?: string;
}

/** Notices sent by a step (签收 overdue, 延期, 审核, 转办), each at once, to the people the step concerns. */
export type StepNoticeKind =
  | 'unacknowledged'
  | 'extensionRequested'
  | 'extensionApproved'
  | 'extensionRejected'
  | 'reviewRequested'
  | 'returned'
  | 'reassigned'
  | 'handedOver'
  | 'deadlineChanged';

export type NotificationKind = 'reminder' | FollowUpKind | StepNoticeKind;

/** Reminders and follow-ups keep to the deadline (and hold still in an emergency); step notices go out at once. */
export function isTimelineNotice(kind: NotificationKind): kind is 'reminder' | FollowUpKind {
  return kind === 'reminder' || kind === 'overdue' || kind === 'escalation' || kind === 'repeat';
}

export interface DeliveryRecord {
  notificationId: string;
  kind: NotificationKind;
  level: number;
  personId: string;
  channel: ChannelName | 'none';
  /** `digest`: not sent on its own, the assignee's daily digest lists the task instead. */
  /** `suspended`: held back because an emergency (紧急情况) suspended the task's unit at that instant. */
  result: 'sent' | 'failed' | 'no-contact' | 'digest' | 'suspended';
  plannedAt: IsoInstant;
  sentAt: IsoInstant;
  detail?: string;
  /** The message that carried the notice, when one message carried several (the herald's batched sends). */
  messageId?: string;
}

export interface TaskEvent {
  at: IsoInstant;
  actor: string;
  action: TaskAction;
  detail?: string;
}

export type TaskAction =
  | 'opened'
  | 'overdue'
  | 'escalated'
  | 'completed'
  | 'waived'
  | 'acknowledged'
  | 'unacknowledged'
  | 'progress'
  | 'extensionRequested'
  | 'extensionApproved'
  | 'extensionRejected'
  | 'submitted'
  | 'accepted'
  | 'returned'
  | 'reassigned'
  | 'replanned'
  | 'suspended'
  | 'resumed';

export type { DeadlinePlan };

/** Evidence (佐证材料): the file itself sits in the evidence store under its SHA-256; a task keeps only this. */
export interface AttachmentRef {
  sha256: string;
  name: string;
  kind: AttachmentKind;
  mime: string;
  size: number;
  /** From a photo's EXIF, where present: evidence of an on-site visit for the task's supervisors. */
  exif?: { takenAt?: string; latitude?: number; longitude?: number };
}

export interface Completion {
  by: string;
  at: IsoInstant;
  note?: string;
  fields: Record<string, FieldValue>;
  attachments?: AttachmentRef[];
}

export interface ProgressReport {
  by: string;
  at: IsoInstant;
  note: string;
  fields: Record<string, FieldValue>;
  attachments?: AttachmentRef[];
}

export interface ExtensionState {
  /** The deadline the task opened with, kept however often it is extended. */
  originalDueOn: LocalDate;
  originalDueAt: IsoInstant;
  /** Extensions granted so far. */
  granted: number;
  pending?: { by: string; at: IsoInstant; dueOn: LocalDate; reason: string };
  lastDecision?: { by: string; at: IsoInstant; approved: boolean; dueOn?: LocalDate; reason?: string };
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
  completion?: Completion;
  waiver?: { by: string; at: IsoInstant; reason: string };
  deliveries: DeliveryRecord[];
  events: TaskEvent[];
  /** The fields below are absent on tasks that opened before the 督办 steps existed. */
  flags?: TaskFlag[];
  acknowledged?: { by: string; at: IsoInstant };
  /** The latest progress report (反馈); earlier ones stay in `events`. */
  progress?: ProgressReport;
  extension?: ExtensionState;
  /** Reminders of the current deadline once it has been re-planned; until then the occurrence's. */
  reminders?: IsoInstant[];
  /** Completions sent back by a reviewer (退回), oldest first, each with the reason. */
  returned?: (Completion & { returnedBy: string; returnedAt: IsoInstant; reason: string })[];
  review?: { by: string; at: IsoInstant };
  /** Emergency windows (紧急情况) over the task's unit: no reminders or escalation inside them. */
  suspensions?: Suspension[];
  /** Every file ever attached (progress reports, completions, returned ones), so none becomes unreachable. */
  evidence?: AttachmentRef[];
  /** Who may act for the assignee since a reassignment (转办); until then the input's `completers`. */
  completers?: string[];
  /** The herald sending the timeline's notices, and when the task took them over itself. */
  herald?: { id: string; leftAt?: IsoInstant };
  /** People who held the task before, oldest first, with who moved it and why. */
  previousAssignees?: { personId: string; unitId: string; until: IsoInstant; by: string; reason: string }[];
}

export interface CompletionRequest {
  by: string;
  note?: string;
  fields?: Record<string, RawFieldValue>;
  attachments?: AttachmentRef[];
}

export interface AcknowledgeRequest {
  by: string;
}

export interface ProgressRequest {
  by: string;
  note: string;
  fields?: Record<string, RawFieldValue>;
  attachments?: AttachmentRef[];
}

export interface ExtensionRequest {
  by: string;
  dueOn: LocalDate;
  reason: string;
}

/** Approving carries the re-planned deadline (at most the one asked for); rejecting carries the reason. */
export interface ExtensionDecision {
  by: string;
  approve: boolean;
  reason?: string;
  plan?: DeadlinePlan;
}

/** Returning (退回) carries the reason, and a new deadline when the old one is not kept. */
export interface ReviewDecision {
  by: string;
  accept: boolean;
  reason?: string;
  plan?: DeadlinePlan;
}

/**
 * An emergency over the task's unit: from `fromAt` to `untilAt` nothing is sent and nothing escalates. A deadline
 * inside the window moves by the working days it covers (`plan`); the deadline before it is kept to undo the move.
 */
export interface Suspension {
  emergencyId: string;
  fromAt: IsoInstant;
  untilAt: IsoInstant;
  reason: string;
  plan?: DeadlinePlan;
  before?: DeadlinePlan;
}

export interface SuspendRequest {
  by: 'system';
  suspension: Suspension;
}

export interface LiftRequest {
  by: 'system';
  emergencyId: string;
}

/** The engine re-plans a deadline itself, e.g. when the holiday arrangement of its year is published. */
export interface ReplanRequest {
  by: 'system';
  reason: string;
  plan: DeadlinePlan;
}

/** 转办: the new holder as the roster has them now, and who may then act for them. */
export interface ReassignRequest {
  by: string;
  reason: string;
  to: { personId: string; unitId: string };
  unitName: string;
  unitPath: string[];
  township?: string;
  completers: string[];
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
  /**
   * What a step notice says: who acted, why, the deadline before; `handedOver` goes to `previousAssignee` only.
   * `acknowledgeWithinHours`: for `unacknowledged`, the working hours the task had for its 签收.
   */
  step?: { by: string; reason?: string; previousDueOn?: string; requestedDueOn?: string; previousAssignee?: string; acknowledgeWithinHours?: number };
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

/** A notice the task sends: reminders and follow-ups at their instants, step notices at once. */
export interface Notice {
  id: string;
  kind: NotificationKind;
  level: number;
  plannedAt: IsoInstant;
  step?: NotifyRequest['step'];
}

/** Carried across continue-as-new so a long-overdue task keeps its whole record. */
export interface TaskCarry {
  state: TaskState;
  followUpsAfter?: IsoInstant;
  followUpSeq: number;
  /** Which plan of the deadline the timeline follows: 0 as opened, one more for each extension or return. */
  round?: number;
  roundStartedAt?: IsoInstant;
  /** Set by `duty migrate`: the run goes on from another installation's run, not from one of its own. */
  handover?: Handover;
}

/** Where another installation's run of the task stood, exactly, so nothing it sent is sent again and nothing is lost. */
export interface Handover {
  /** Still before the deadline's follow-ups: the reminders of the round go on after the first `reminders` of them. */
  phase: 'remind' | 'followUp';
  reminders: number;
  /** Notices that run had begun to send and not yet recorded (or had held for later): sent here. */
  unsent: Notice[];
}

/** What `duty migrate` reads from a task: the input it runs with and where it stands. */
export interface TaskHandover {
  input: TaskInput;
  carry: TaskCarry;
}

export const completeTaskUpdate = defineUpdate<TaskState, [CompletionRequest]>('complete');
export const waiveTaskUpdate = defineUpdate<TaskState, [WaiverRequest]>('waive');
export const acknowledgeTaskUpdate = defineUpdate<TaskState, [AcknowledgeRequest]>('acknowledge');
export const reportProgressUpdate = defineUpdate<TaskState, [ProgressRequest]>('progress');
export const requestExtensionUpdate = defineUpdate<TaskState, [ExtensionRequest]>('requestExtension');
export const decideExtensionUpdate = defineUpdate<TaskState, [ExtensionDecision]>('decideExtension');
export const reviewTaskUpdate = defineUpdate<TaskState, [ReviewDecision]>('review');
export const reassignTaskUpdate = defineUpdate<TaskState, [ReassignRequest]>('reassign');
export const replanTaskUpdate = defineUpdate<TaskState, [ReplanRequest]>('replan');
export const suspendTaskUpdate = defineUpdate<TaskState, [SuspendRequest]>('suspend');
export const liftSuspensionUpdate = defineUpdate<TaskState, [LiftRequest]>('liftSuspension');
export const taskStateQuery = defineQuery<TaskState>('state');
export const taskHandoverQuery = defineQuery<TaskHandover>('handover');
/** dutyTask → its parent, set in `TaskInput.parent`. */
export const taskClosedSignal = defineSignal<[TaskClosedEvent]>('taskClosed');
