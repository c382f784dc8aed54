import { CancellationScope, isCancellation, proxyActivities, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type * as activities from '../activities';
import { type DeliveryRecord, type Handover, notificationId, isTimelineNotice, type Notice, type NotificationKind, type NotifyRequest, type Suspension, type TaskCarry, type TaskHandover, type TaskInput, type TaskState } from '../src/contracts/dutyTask';
import { SA, type TaskFlag } from '../src/shared/searchAttributes';
import type { FollowUpKind } from '../src/shared/types';
import { failureDetail, nowIso } from './support';
import { ActivityCancellationType } from '@temporalio/workflow';

/**
 * Mail may be down for hours; a notice is retried with backoff but never fails the task.
 * Cancelling waits for an attempt already running, so a notice that went out is still recorded.
 */
const { notify } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 30 },
});

export type { Notice, TaskCarry };

/**
 * One running task: its input, its state, and the outbox its notices leave by. The timeline (reminders, follow-ups)
 * and the 督办 steps both act through it.
 */
export class TaskRun {
  private readonly scope = new CancellationScope();
  private readonly pending: Promise<void>[] = [];
  round: number;
  roundStartedAt: string;
  /** Where the timeline stands, for `duty migrate`: it decides nothing here. */
  phase: Handover['phase'];
  remindersDone: number;
  followUpsAfter?: string;
  followUpSeq: number;
  /** A follow-up missed before the task opened, sent once the timeline has caught up. */
  missed?: { kind: FollowUpKind; level: number; seq: number };
  private readonly sending = new Map<string, Notice>();

  constructor(
    readonly input: TaskInput,
    readonly state: TaskState,
    carry?: TaskCarry,
  ) {
    this.round = carry?.round ?? 0;
    this.roundStartedAt = carry?.roundStartedAt ?? state.events[0]?.at ?? nowIso();
    this.phase = carry ? (carry.handover?.phase ?? 'followUp') : 'remind';
    this.remindersDone = carry?.handover?.reminders ?? 0;
    this.followUpsAfter = carry?.followUpsAfter;
    this.followUpSeq = carry?.followUpSeq ?? 0;
  }

  /** The missed follow-up as the notice it becomes, stamped now. */
  missedNotice(): Notice | undefined {
    const m = this.missed;
    return m && { id: notificationId(this.state.taskId, m.kind, m.seq, this.round), kind: m.kind, level: m.level, plannedAt: nowIso() };
  }

  /** What another installation needs to go on with this run: nothing it sent is sent again, nothing begun is lost. */
  handover(): TaskHandover {
    const unsent = [...this.sending.values(), ...(this.missed ? [this.missedNotice() as Notice] : [])];
    return {
      input: this.input,
      carry: {
        state: this.state,
        followUpsAfter: this.followUpsAfter,
        followUpSeq: this.followUpSeq,
        round: this.round,
        roundStartedAt: this.roundStartedAt,
        handover: { phase: this.phase, reminders: this.remindersDone, unsent },
      },
    };
  }

  closed(): boolean {
    return this.state.status === 'done' || this.state.status === 'waived';
  }

  /** Open work: the timeline runs and the unit's steps (签收, 反馈, 延期, 办结) apply. */
  isOpen(): boolean {
    return this.state.status === 'open' || this.state.status === 'overdue';
  }

  completers(): string[] {
    return this.state.completers ?? this.input.completers;
  }

  /**
   * The herald sends the first round's reminders and follow-ups while the task is open work under its first holder;
   * a new round (new deadline, return, another holder, an emergency) or a review takes them over.
   */
  heralded(): boolean {
    const h = this.state.herald;
    return h !== undefined && h.leftAt === undefined && this.round === 0 && this.isOpen();
  }

  /** Another holder or an emergency: the task times its own notices from now on, in a new round. */
  leaveHerald(): void {
    if (this.heralded()) this.restart();
  }

  /** A new deadline or a return: the timeline starts again from now, with its own notice ids. */
  restart(): void {
    this.round += 1;
    this.roundStartedAt = nowIso();
  }

  /**
   * Sends run beside the timeline, so a slow or deferred notice never delays the next deadline. A reminder or
   * follow-up due while an emergency suspends the unit is recorded as held back instead.
   */
  send(notice: Notice): void {
    if (isTimelineNotice(notice.kind) && this.heralded()) return;
    const suspension = isTimelineNotice(notice.kind) ? this.suspendedAt(notice.plannedAt) : undefined;
    if (suspension) {
      const s = this.state;
      s.deliveries.push({ notificationId: notice.id, kind: notice.kind, level: notice.level, personId: s.assignee.personId, channel: 'none', result: 'suspended', plannedAt: notice.plannedAt, sentAt: nowIso(), detail: suspension.reason });
      return;
    }
    this.pending.push(this.scope.run(() => this.deliver(notice)));
  }

  /** Work beside the timeline (a suspension's start and end), cancelled with the outbox when the task closes. */
  track(work: () => Promise<void>): void {
    this.pending.push(this.scope.run(work));
  }

  /** The emergency window covering an instant, if any. */
  suspendedAt(at: string): Suspension | undefined {
    const t = Date.parse(at);
    return this.state.suspensions?.find((s) => Date.parse(s.fromAt) <= t && t < Date.parse(s.untilAt));
  }

  /** A step's notice goes out at once; its id is the step's place in the task's events, unique and replayable. */
  sendStep(kind: NotificationKind, step: NonNullable<NotifyRequest['step']>, level = 0): void {
    this.send({ id: `${this.state.taskId}/${kind}-e${this.state.events.length}`, kind, level, plannedAt: nowIso(), step });
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** A notice still waiting (quiet hours, a mail outage) is moot once the task is done or waived. */
  cancel(): void {
    this.scope.cancel();
  }

  /** The 督办 flags as lists filter on them, and the memo the lists read (deadline, extensions, returns, progress). */
  publish(): void {
    const s = this.state;
    s.flags = flagsOf(s, this.isOpen(), this.suspendedAt(nowIso()) !== undefined);
    upsertSearchAttributes([
      { key: SA.flags, value: s.flags },
      { key: SA.dueAt, value: new Date(s.dueAt) },
    ]);
    upsertMemo({
      dueOn: s.dueOn,
      originalDueOn: s.extension?.originalDueOn,
      extensions: s.extension?.granted ?? 0,
      returns: s.returned?.length ?? 0,
      progress: s.progress ? { at: s.progress.at, note: s.progress.note.slice(0, 100) } : undefined,
      completedAt: s.status === 'done' ? s.completion?.at : undefined,
    });
  }

  private async deliver(notice: Notice): Promise<void> {
    const s = this.state;
    let records: DeliveryRecord[];
    this.sending.set(notice.id, notice);
    try {
      records = await notify({
        notificationId: notice.id,
        kind: notice.kind,
        level: notice.level,
        plannedAt: notice.plannedAt,
        urgent: this.input.duty.urgent,
        task: {
          taskId: s.taskId,
          dutyId: s.dutyId,
          dutyTitle: s.dutyTitle,
          period: s.period,
          phaseTitle: s.phaseTitle,
          dueOn: s.dueOn,
          dueAt: s.dueAt,
          provisional: s.provisional,
          assignee: s.assignee,
          requiredFields: this.input.duty.completion.fields.filter((f) => f.required).map((f) => ({ key: f.key, label: f.label })),
        },
        ...(notice.step ? { step: notice.step } : {}),
      });
    } catch (err) {
      if (isCancellation(err)) return;
      records = [
        { notificationId: notice.id, kind: notice.kind, level: notice.level, personId: s.assignee.personId, channel: 'none', result: 'failed', plannedAt: notice.plannedAt, sentAt: nowIso(), detail: failureDetail(err) },
      ];
    } finally {
      this.sending.delete(notice.id);
    }
    s.deliveries.push(...records);
  }
}

/** Signing for a task, reporting progress and a pending request matter while the work is open; extensions and returns stay on record. */
function flagsOf(s: TaskState, open: boolean, suspended: boolean): TaskFlag[] {
  const flags: TaskFlag[] = [];
  if (open && suspended) flags.push('suspended');
  if (open && !s.acknowledged) flags.push('unacknowledged');
  if (open && s.progress) flags.push('progress');
  if (open && s.extension?.pending) flags.push('extensionRequested');
  if ((s.extension?.granted ?? 0) > 0) flags.push('extended');
  if ((s.returned?.length ?? 0) > 0) flags.push('returned');
  return flags;
}
