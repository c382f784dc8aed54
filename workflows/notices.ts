import { ActivityCancellationType, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import {
  type BatchOutcome,
  enrollSignal,
  type HeraldCarry,
  heraldHandoverQuery,
  heraldMembersQuery,
  type HeraldInput,
  type HeraldMember,
  leaveSignal,
  type NoticeBatch,
  type PlanCursor,
  type PlannedNotice,
} from '../src/contracts/dutyNotices';
import { failureDetail, nowIso, released } from './support';
import { type HeldCopy, isHeld } from '../src/contracts/migration';

const { planFollowUps } = proxyActivities<activities.Activities>({ startToCloseTimeout: '30 seconds' });

/**
 * A batch may be thousands of messages paced by the channels' own limits; the heartbeat shows it is alive (a killed
 * worker's batch is retried 30 s later), and the send ledger makes a retried attempt skip what the first one sent.
 * Retried like a single notice: for hours.
 */
const { sendNotices, recordUndelivered } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 30 },
});

/** Members per activity: keeps one batch's input well under Temporal's 2 MB payload limit. */
const MAX_BATCH_MEMBERS = 10_000;
const FOLLOW_UP_PAGE = 20;

/** The instants of the occurrence in order: its reminders, then the follow-ups after the deadline, page by page. */
class NoticePlan {
  constructor(
    private readonly input: HeraldInput,
    readonly cursor: PlanCursor,
  ) {}

  async peek(): Promise<PlannedNotice | undefined> {
    const c = this.cursor;
    const reminders = this.input.occurrence.reminders;
    const reminder = reminders[c.reminderIndex];
    if (reminder !== undefined) return { at: reminder, kind: 'reminder', level: 0, seq: c.reminderIndex + 1 };
    if (c.buffered.length === 0 && !c.exhausted) {
      const { dueAt } = this.input.occurrence;
      const page = await planFollowUps({ dueAt, policy: this.input.duty.escalation, sendAt: this.input.duty.sendAt, after: c.followUpsAfter, limit: FOLLOW_UP_PAGE });
      c.buffered = page.map((e) => ({ ...e, seq: ++c.followUpSeq }));
      c.followUpsAfter = page.at(-1)?.at ?? c.followUpsAfter;
      c.exhausted = page.length === 0;
    }
    return c.buffered[0];
  }

  advance(): void {
    const c = this.cursor;
    if (c.reminderIndex < this.input.occurrence.reminders.length) c.reminderIndex += 1;
    else c.buffered.shift();
  }
}

/**
 * The herald of one occurrence: it wakes once per instant and sends the notice of every task still with it, in a
 * few batched sends, so ten thousand tasks due at 09:00 cost one timer, not ten thousand. A task leaves when it
 * closes or takes its timeline over (a new deadline, another holder, an emergency, a review). Tasks enrolled after
 * an instant passed get the latest one they missed at once, as a task opened late would send it itself.
 */
export async function dutyNotices(input: HeraldInput, carry?: HeraldCarry | HeldCopy): Promise<{ sent: number }> {
  if (isHeld(carry)) return dutyNotices(input, await released<HeraldCarry>(carry));
  const members = new Map((carry?.members ?? []).map((m) => [m.taskId, m]));
  const left = new Set(carry?.left);
  const newcomers = new Map((carry?.newcomers ?? []).map((m) => [m.taskId, m]));
  // Newcomers whose catch-up is being sent: a migration taken now must still owe it to them.
  let catchingUp: HeraldMember[] = [];
  const plan = new NoticePlan(input, carry?.cursor ?? { reminderIndex: 0, followUpSeq: 0, buffered: [], exhausted: false });
  let latest = carry?.latest;
  let sent = carry?.sent ?? 0;
  let catchUps = carry?.catchUps ?? 0;
  let next: PlannedNotice | undefined;

  setHandler(enrollSignal, ({ members: list }) => {
    for (const m of list) if (!members.has(m.taskId) && !left.has(m.taskId)) newcomers.set(m.taskId, m);
  });
  setHandler(leaveSignal, ({ taskId }) => {
    left.add(taskId);
    members.delete(taskId);
    newcomers.delete(taskId);
  });
  setHandler(heraldMembersQuery, () => ({ members: members.size + newcomers.size, sent, ...(next ? { next: next.at } : {}) }));
  setHandler(heraldHandoverQuery, () => {
    const owed = new Set(catchingUp.map((m) => m.taskId));
    return {
      input,
      carry: { members: [...members.values()].filter((m) => !owed.has(m.taskId)), left: [...left], cursor: plan.cursor, latest, sent, catchUps, newcomers: [...catchingUp, ...newcomers.values()] },
    };
  });

  // Instants before the herald began belong to the tasks' own past; newcomers catch up on the latest of them.
  const beganAt = carry ? -Infinity : Date.now();
  for (;;) {
    next = await plan.peek();
    while (next && Date.parse(next.at) < beganAt) {
      latest = next;
      plan.advance();
      next = await plan.peek();
    }
    // Ten thousand tasks closing one by one are ten thousand signals: the history is handed on before it grows too long.
    const handOver = () => workflowInfo().continueAsNewSuggested && newcomers.size === 0;
    const woken = () => newcomers.size > 0 || members.size === 0 || handOver();
    if (!woken()) {
      if (!next) await condition(woken);
      else if (Date.parse(next.at) > Date.now()) await condition(woken, Date.parse(next.at) - Date.now());
    }
    if (newcomers.size > 0) {
      const joining = [...newcomers.values()];
      newcomers.clear();
      for (const m of joining) members.set(m.taskId, m);
      if (latest && stillRelevant(latest, input)) {
        catchingUp = joining;
        sent += await send(input, { ...latest }, nowIso(), joining, `c${++catchUps}`);
        catchingUp = [];
      }
      continue;
    }
    if (members.size === 0) return { sent };
    if (next && Date.parse(next.at) <= Date.now()) {
      sent += await send(input, next, next.at, [...members.values()], '');
      latest = next;
      plan.advance();
    }
    if (handOver()) {
      await continueAsNew<typeof dutyNotices>(input, { members: [...members.values()], left: [...left], cursor: plan.cursor, latest, sent, catchUps });
    }
  }
}

/** A reminder missed before the deadline still helps; once the deadline has passed, only follow-ups do. */
function stillRelevant(notice: PlannedNotice, input: HeraldInput): boolean {
  return notice.kind !== 'reminder' || Date.now() < Date.parse(input.occurrence.dueAt);
}

/** Batches go out side by side; a batch that fails for good is written down as failed on every task it carried. */
async function send(input: HeraldInput, notice: PlannedNotice, plannedAt: string, members: HeraldMember[], tag: string): Promise<number> {
  const batches = chunk(byTownship(members), MAX_BATCH_MEMBERS).map(
    (part, i): NoticeBatch => ({ batchId: `${input.heraldId}/${notice.kind}-${notice.seq}${tag ? `-${tag}` : ''}/b${i + 1}`, notice, plannedAt, template: input, members: part }),
  );
  const outcomes = await Promise.all(
    batches.map(async (batch): Promise<BatchOutcome | undefined> => {
      try {
        return await sendNotices(batch);
      } catch (err) {
        await recordUndelivered({ batch, detail: failureDetail(err) });
        return undefined;
      }
    }),
  );
  return outcomes.reduce((n, o) => n + (o?.notices ?? 0), 0);
}

/** A township's tasks stay in one batch where they fit, so its supervisors and its robot group get one message. */
function byTownship(members: HeraldMember[]): HeraldMember[] {
  return [...members].sort((a, b) => (a.township ?? a.unitId).localeCompare(b.township ?? b.unitId) || a.unitId.localeCompare(b.unitId));
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
