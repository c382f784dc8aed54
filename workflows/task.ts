import { condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import { leaveSignal } from '../src/contracts/dutyNotices';
import { notificationId, taskClosedSignal, taskHandoverQuery, type TaskInput, type TaskState, taskStateQuery } from '../src/contracts/dutyTask';
import { SA } from '../src/shared/searchAttributes';
import { type HeldCopy, isHeld } from '../src/contracts/migration';
import type { FollowUp } from '../src/shared/types';
import { handlersFinished, nowIso, record, setStatus, signalQuietly, released } from './support';
import { type TaskCarry, TaskRun } from './taskRun';
import { registerSteps } from './taskSteps';

const { planFollowUps, workingHoursAfter } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
});

const FOLLOW_UP_BATCH = 20;

export async function dutyTask(input: TaskInput, carry?: TaskCarry | HeldCopy): Promise<TaskState> {
  if (isHeld(carry)) return dutyTask(input, await released<TaskCarry>(carry));
  const state: TaskState = carry?.state ?? initialState(input);
  const run = new TaskRun(input, state, carry);

  setHandler(taskStateQuery, () => state);
  setHandler(taskHandoverQuery, () => run.handover());
  registerSteps(run);
  // A task handed over already closed (duty migrate) told its parent where it ran before.
  const closedBefore = carry?.handover !== undefined && run.closed();
  for (const notice of carry?.handover?.unsent ?? []) run.send(notice);

  const watch = carry && !carry.handover ? Promise.resolve() : watchAcknowledgement(run);
  const herald = followHerald(run);
  await timeline(run, carry);
  await watch;
  await herald;
  if (input.parent && !closedBefore) await tellParent(input.parent, state);

  run.cancel();
  await run.settle();
  await handlersFinished();
  return state;
}

/**
 * Reminders up to the deadline, then follow-ups until the task closes. An extension or a return re-plans the
 * deadline and starts a new round from now; a completion waiting for review pauses the timeline.
 */
async function timeline(run: TaskRun, carry: TaskCarry | undefined): Promise<void> {
  let resume = carry;
  // Instants after where another installation stopped and before this run began: missed, as by a task opened late.
  let handedOverAt = carry?.handover ? Date.now() : undefined;
  for (;;) {
    const round = run.round;
    const interrupted = () => run.closed() || run.round !== round || run.state.status === 'review';
    if (!resume) Object.assign(run, { phase: 'remind', remindersDone: 0, followUpsAfter: undefined, followUpSeq: 0 });
    if (!resume || resume.handover?.phase === 'remind') await remind(run, interrupted, handedOverAt);
    run.phase = 'followUp';
    if (!interrupted()) await followUp(run, interrupted, handedOverAt);
    resume = undefined;
    handedOverAt = undefined;
    if (run.state.status === 'review') await condition(() => run.state.status !== 'review');
    if (run.closed()) return;
  }
}

/** 签收 in time or not: when the duty sets a window, its supervisors hear once if nobody signed for the task. */
async function watchAcknowledgement(run: TaskRun): Promise<void> {
  const hours = run.input.duty.acknowledgeWithinHours;
  if (!hours || run.state.events.some((e) => e.action === 'unacknowledged')) return;
  const deadline = await workingHoursAfter({ from: new Date(openedAt(run.state)).toISOString(), hours });
  const settled = () => run.state.acknowledged !== undefined || !run.isOpen();
  const ms = Date.parse(deadline) - Date.now();
  if (ms > 0) await condition(settled, ms);
  if (settled()) return;
  record(run.state, 'system', 'unacknowledged', `开启后 ${hours} 个工作小时内无人签收`);
  run.sendStep('unacknowledged', { by: 'system', acknowledgeWithinHours: hours }, 1);
}

/** The herald stops sending for the task once it closes or takes its timeline over; a herald already gone needs no word. */
async function followHerald(run: TaskRun): Promise<void> {
  const herald = run.state.herald;
  if (!herald || herald.leftAt) return;
  await condition(() => !run.heralded());
  herald.leftAt = nowIso();
  await signalQuietly(() => getExternalWorkflowHandle(herald.id).signal(leaveSignal, { taskId: run.state.taskId }));
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
    flags: ['unacknowledged'],
    ...(input.suspensions?.length ? { suspensions: input.suspensions } : {}),
    ...(input.herald ? { herald: { id: input.herald } } : {}),
  };
}

/**
 * A task that opens late (a trigger mid-period, a backfill) does not replay every reminder it missed:
 * it sends the latest missed one at once, then keeps to the plan. A re-planned round only sends what lies ahead;
 * the step that re-planned it has told the assignee already.
 */
async function remind(run: TaskRun, interrupted: () => boolean, handedOverAt: number | undefined): Promise<void> {
  const { state } = run;
  const firstRound = run.round === 0;
  const since = handedOverAt ?? (firstRound ? openedAt(state) : Date.parse(run.roundStartedAt));
  const reminders = state.reminders ?? run.input.occurrence.reminders;
  // Reminders the run before a handover had handled; none otherwise.
  const done = run.remindersDone;
  const missed = reminders.slice(done).filter((at) => Date.parse(at) < since);
  run.remindersDone = done + missed.length;
  if ((firstRound || handedOverAt !== undefined) && missed.length > 0 && Date.parse(state.dueAt) > since) {
    run.send({ id: notificationId(state.taskId, 'reminder', run.remindersDone, run.round), kind: 'reminder', level: 0, plannedAt: nowIso() });
  }
  // The herald sends the reminders: nothing changes here before the deadline, so there is no reason to wake.
  if (run.heralded()) {
    await interruptedBefore(state.dueAt, interrupted);
    return;
  }
  for (const at of reminders.slice(run.remindersDone)) {
    if (await interruptedBefore(at, interrupted)) return;
    run.remindersDone = reminders.indexOf(at) + 1;
    run.send({ id: notificationId(state.taskId, 'reminder', run.remindersDone, run.round), kind: 'reminder', level: 0, plannedAt: at });
  }
  await interruptedBefore(state.dueAt, interrupted);
}

async function followUp(run: TaskRun, interrupted: () => boolean, handedOverAt: number | undefined): Promise<void> {
  try {
    await followUps(run, interrupted, handedOverAt);
  } finally {
    // A missed follow-up not sent by now belongs to a round that is over.
    run.missed = undefined;
  }
}

async function followUps(run: TaskRun, interrupted: () => boolean, handedOverAt: number | undefined): Promise<void> {
  const { state, input } = run;
  const since = handedOverAt ?? (run.round === 0 ? openedAt(state) : Date.parse(run.roundStartedAt));
  // Follow-ups that fell before the task opened set its level; only the latest of them is sent, at once. In a
  // re-planned round the step's own notice stands in for them.
  const sendMissed = () => {
    const notice = run.missedNotice();
    run.missed = undefined;
    if (notice) run.send(notice);
  };
  for (;;) {
    const batch: FollowUp[] = await planFollowUps({ dueAt: state.dueAt, policy: input.duty.escalation, sendAt: input.duty.sendAt, after: run.followUpsAfter, limit: FOLLOW_UP_BATCH });
    for (const event of batch) {
      if (interrupted()) return;
      run.followUpsAfter = event.at;
      if (Date.parse(event.at) < since) {
        applyFollowUp(run, event);
        run.followUpSeq += 1;
        if (run.round === 0 || handedOverAt !== undefined) run.missed = { kind: event.kind, level: event.level, seq: run.followUpSeq };
        continue;
      }
      sendMissed();
      if (run.heralded() && !changesState(run, event)) {
        // The herald sends it and nothing here changes: no wake-up. Once nothing can change, wait to close or leave.
        run.followUpSeq += 1;
        if (settled(run)) {
          await condition(interrupted);
          return;
        }
        continue;
      }
      if (await interruptedBefore(event.at, interrupted)) return;
      applyFollowUp(run, event);
      run.followUpSeq += 1;
      run.send({ id: notificationId(state.taskId, event.kind, run.followUpSeq, run.round), kind: event.kind, level: event.level, plannedAt: event.at });
    }
    if (batch.length === 0) {
      sendMissed();
      await condition(interrupted);
      return;
    }
    if (workflowInfo().continueAsNewSuggested) {
      sendMissed();
      await run.settle();
      await handlersFinished();
      await continueAsNew<typeof dutyTask>(input, { state, followUpsAfter: run.followUpsAfter, followUpSeq: run.followUpSeq, round: run.round, roundStartedAt: run.roundStartedAt });
    }
  }
}

function applyFollowUp(run: TaskRun, event: FollowUp): void {
  const { state } = run;
  // An emergency holds escalation still; the follow-ups after the window pick it up again.
  if (run.suspendedAt(event.at)) return;
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

function changesState(run: TaskRun, event: FollowUp): boolean {
  return run.state.status === 'open' || event.level > run.state.escalationLevel;
}

/** Overdue at the top level of its policy: no follow-up can change the task any more. */
function settled(run: TaskRun): boolean {
  return run.state.status === 'overdue' && run.state.escalationLevel >= run.input.duty.escalation.levels.length;
}

function openedAt(state: TaskState): number {
  return Date.parse(state.events[0]?.at ?? state.dueAt);
}

/** Waits until `at`, or returns true as soon as the task is closed or its plan changed. */
async function interruptedBefore(at: string, interrupted: () => boolean): Promise<boolean> {
  const ms = Date.parse(at) - Date.now();
  if (ms > 0) await condition(interrupted, ms);
  return interrupted();
}
