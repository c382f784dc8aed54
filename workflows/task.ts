import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import { checkCompletion, clip } from '../src/shared/completion';
import { completeTaskUpdate, type DeliveryRecord, notificationId, type NotificationKind, taskClosedSignal, type TaskInput, type TaskState, taskStateQuery, waiveTaskUpdate } from '../src/contracts/dutyTask';
import { SA } from '../src/shared/searchAttributes';
import type { FollowUp } from '../src/shared/types';
import { shanghaiDate } from '../src/shared/zone';
import { failureDetail, handlersFinished, nowIso, record, refuse, setStatus, signalQuietly } from './support';

const { planFollowUps } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
});

/**
 * Mail may be down for hours; a reminder is retried with backoff but never fails the task.
 * Cancelling waits for an attempt already running, so a notice that went out is still recorded.
 */
const { notify } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 30 },
});

const FOLLOW_UP_BATCH = 20;

/** Carried across continue-as-new so a long-overdue task keeps its whole record. */
export interface TaskCarry {
  state: TaskState;
  followUpsAfter?: string;
  followUpSeq: number;
}

export async function dutyTask(input: TaskInput, carry?: TaskCarry): Promise<TaskState> {
  const state: TaskState = carry?.state ?? initialState(input);
  const outbox = sender(input, state);
  const closed = () => state.status === 'done' || state.status === 'waived';

  setHandler(taskStateQuery, () => state);
  setHandler(
    completeTaskUpdate,
    (req) => {
      const { fields } = checkCompletion(input.duty.completion, req.note, req.fields ?? {});
      state.completion = { by: req.by, at: nowIso(), note: req.note?.trim() || undefined, fields };
      record(state, req.by, 'completed', req.note?.trim());
      setStatus(state, 'done');
      // Roll-up reports read the figures from visibility listings instead of asking every task.
      if (patched('completion-figures-memo')) upsertMemo({ figures: fields });
      return state;
    },
    {
      validator: (req) => {
        refuseIfClosed(state);
        // Whatever a client sends, the refusal stays small: a failure too large to record would fail the workflow task.
        if (!input.completers.includes(req.by)) refuse('NotAllowed', `${clip(String(req.by))} 无权完成此任务(仅限责任人、同单位人员或管理员)`);
        // The workflow clock, so "today" is the same on replay.
        const dates = { ...input.occurrence, today: shanghaiDate(Date.now()) };
        const { problems } = checkCompletion(input.duty.completion, req.note, req.fields ?? {}, dates);
        if (problems.length > 0) {
          throw ApplicationFailure.create({ type: 'InvalidCompletion', message: problems.map((p) => p.message).join(';'), details: [problems] });
        }
      },
    },
  );
  setHandler(
    waiveTaskUpdate,
    (req) => {
      state.waiver = { by: req.by, at: nowIso(), reason: req.reason.trim() };
      record(state, req.by, 'waived', req.reason.trim());
      setStatus(state, 'waived');
      return state;
    },
    {
      validator: (req) => {
        refuseIfClosed(state);
        if (!input.admins.includes(req.by) && req.by !== input.parent) refuse('NotAllowed', `${req.by} 不是管理员,不能免除任务`);
        if (!req.reason?.trim()) refuse('InvalidWaiver', '免除任务必须填写原因(--reason)');
      },
    },
  );

  if (!carry) await remind(input, state, outbox, closed);
  if (!closed()) await followUp(input, state, outbox, closed, carry);
  if (input.parent) await tellParent(input.parent, state);

  // A notice still waiting (quiet hours, a mail outage) is moot once the task is done or waived.
  outbox.cancel();
  await outbox.settle();
  await handlersFinished();
  return state;
}

/** A programme or lifecycle waits on its tasks; one that has already finished needs no news, so a failed signal is dropped. */
async function tellParent(parent: string, state: TaskState): Promise<void> {
  const c = state.completion;
  const w = state.waiver;
  const event = c
    ? { taskId: state.taskId, status: 'done' as const, at: c.at, by: c.by, fields: c.fields, note: c.note }
    : { taskId: state.taskId, status: 'waived' as const, at: w?.at ?? nowIso(), by: w?.by ?? 'system', reason: w?.reason };
  await signalQuietly(() => getExternalWorkflowHandle(parent).signal(taskClosedSignal, event));
}

interface Sender {
  send(kind: NotificationKind, seq: number, level: number, plannedAt: string): void;
  settle(): Promise<void>;
  cancel(): void;
}

/** Sends run beside the timeline, so a slow or deferred notice never delays the next deadline. */
function sender(input: TaskInput, state: TaskState): Sender {
  const scope = new CancellationScope();
  const pending: Promise<void>[] = [];
  return {
    send: (kind, seq, level, plannedAt) => {
      pending.push(scope.run(() => deliver(input, state, kind, seq, level, plannedAt)));
    },
    settle: async () => {
      await Promise.all(pending);
    },
    cancel: () => scope.cancel(),
  };
}

function initialState(input: TaskInput): TaskState {
  const o = input.occurrence;
  return {
    taskId: input.taskId,
    dutyId: input.duty.id,
    dutyTitle: input.duty.title,
    period: o.period,
    phase: o.phase,
    phaseTitle: o.phaseTitle,
    assignee: input.assignee,
    status: 'open',
    opensOn: o.opensOn,
    dueOn: o.dueOn,
    dueAt: o.dueAt,
    provisional: o.provisional,
    escalationLevel: 0,
    deliveries: [],
    events: [{ at: nowIso(), actor: 'system', action: 'opened' }],
  };
}

/**
 * A task that opens late (a trigger mid-period, a backfill) does not replay every reminder it missed:
 * it sends the latest missed one at once, then keeps to the plan.
 */
async function remind(input: TaskInput, state: TaskState, outbox: Sender, closed: () => boolean): Promise<void> {
  const opened = openedAt(state);
  const reminders = input.occurrence.reminders;
  const missed = reminders.filter((at) => Date.parse(at) < opened);
  const last = missed[missed.length - 1];
  if (last && Date.parse(state.dueAt) > opened) outbox.send('reminder', missed.length, 0, nowIso());
  for (const at of reminders.slice(missed.length)) {
    if (await closedBefore(at, closed)) return;
    outbox.send('reminder', reminders.indexOf(at) + 1, 0, at);
  }
  await closedBefore(state.dueAt, closed);
}

async function followUp(
  input: TaskInput,
  state: TaskState,
  outbox: Sender,
  closed: () => boolean,
  carry: TaskCarry | undefined,
): Promise<void> {
  let cursor = carry?.followUpsAfter;
  let seq = carry?.followUpSeq ?? 0;
  // Follow-ups that fell before the task opened set its level; only the latest of them is sent, at once.
  let missed: { event: FollowUp; seq: number } | undefined;
  const sendMissed = () => {
    if (missed) outbox.send(missed.event.kind, missed.seq, missed.event.level, nowIso());
    missed = undefined;
  };
  for (;;) {
    const batch: FollowUp[] = await planFollowUps({
      dueAt: state.dueAt,
      policy: input.duty.escalation,
      sendAt: input.duty.sendAt,
      after: cursor,
      limit: FOLLOW_UP_BATCH,
    });
    for (const event of batch) {
      cursor = event.at;
      if (Date.parse(event.at) < openedAt(state)) {
        applyFollowUp(state, event);
        missed = { event, seq: ++seq };
        continue;
      }
      sendMissed();
      if (await closedBefore(event.at, closed)) return;
      applyFollowUp(state, event);
      outbox.send(event.kind, ++seq, event.level, event.at);
    }
    if (batch.length === 0) {
      sendMissed();
      await condition(closed);
      return;
    }
    if (workflowInfo().continueAsNewSuggested) {
      sendMissed();
      await outbox.settle();
      await handlersFinished();
      await continueAsNew<typeof dutyTask>(input, { state, followUpsAfter: cursor, followUpSeq: seq });
    }
  }
}

function applyFollowUp(state: TaskState, event: FollowUp): void {
  if (state.status === 'open') {
    record(state, 'system', 'overdue');
    setStatus(state, 'overdue');
  }
  if (event.level > state.escalationLevel) {
    state.escalationLevel = event.level;
    record(state, 'system', 'escalated', `level ${event.level}`);
    upsertSearchAttributes([{ key: SA.escalationLevel, value: event.level }]);
  }
}

async function deliver(input: TaskInput, state: TaskState, kind: NotificationKind, seq: number, level: number, plannedAt: string): Promise<void> {
  const id = notificationId(state.taskId, kind, seq);
  let records: DeliveryRecord[];
  try {
    records = await notify({
      notificationId: id,
      kind,
      level,
      plannedAt,
      urgent: input.duty.urgent,
      task: {
        taskId: state.taskId,
        dutyId: state.dutyId,
        dutyTitle: state.dutyTitle,
        period: state.period,
        phaseTitle: state.phaseTitle,
        dueOn: state.dueOn,
        dueAt: state.dueAt,
        provisional: state.provisional,
        assignee: state.assignee,
        requiredFields: input.duty.completion.fields.filter((f) => f.required).map((f) => ({ key: f.key, label: f.label })),
      },
    });
  } catch (err) {
    if (isCancellation(err)) return;
    records = [failedDelivery(id, kind, level, state.assignee.personId, plannedAt, err)];
  }
  state.deliveries.push(...records);
}

function failedDelivery(id: string, kind: NotificationKind, level: number, personId: string, plannedAt: string, err: unknown): DeliveryRecord {
  return { notificationId: id, kind, level, personId, channel: 'none', result: 'failed', plannedAt, sentAt: nowIso(), detail: failureDetail(err) };
}

function openedAt(state: TaskState): number {
  return Date.parse(state.events[0]?.at ?? state.dueAt);
}

/** Waits until `at`, or returns true as soon as the task is closed. */
async function closedBefore(at: string, closed: () => boolean): Promise<boolean> {
  const ms = Date.parse(at) - Date.now();
  if (ms > 0) await condition(closed, ms);
  return closed();
}

function refuseIfClosed(state: TaskState): void {
  if (state.status === 'done' || state.status === 'waived') refuse('TaskClosed', `任务已${state.status === 'done' ? '完成' : '免除'},不能再次操作`);
}
