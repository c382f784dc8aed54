import type { Client } from '@temporalio/client';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { SA } from '../shared/searchAttributes';
import { summarize, type TaskSummary } from '../tasks/query';
import { visibilityQuery, type VisibilityQuery } from '../tasks/visibilityQuery';

/**
 * The closed tasks the dashboard's on-time figures need, kept in memory: whether a task was completed by its
 * deadline compares two of its own values (the completion in its memo, the deadline), which no count query can ask.
 * A closed execution never changes, so each is read from visibility once: the first use lists the closed tasks due
 * since the window's start (and, for the trend, those closed since its first week), and every later one only what
 * closed since the last (`CloseTime`, indexed). Nothing is
 * kept anywhere but here, and everything here comes from Temporal: dropping it rebuilds it, which happens anyway
 * every `REBUILD_MS` so it follows what visibility still holds (a namespace's retention deletes closed executions).
 */

/** A closed run as the dashboard reads it; `closedAt` stands in for a completion time older tasks did not record. */
export interface ClosedTask extends TaskSummary {
  runId: string;
  unitPath: string[];
  closedAt: Date;
}

/** Visibility records a close a moment after it happens; one read too early must not lose it for good. */
const VISIBILITY_LAG_MS = 15_000;
const REBUILD_MS = 6 * 3_600_000;
const EVER = Date.parse('1970-01-02T00:00:00Z');
/** Before the close time SQL visibility gives a running execution. */
const STILL_RUNNING = new Date('9000-01-01T00:00:00Z');

export class ClosedTaskIndex {
  private readonly runs = new Map<string, ClosedTask>();
  /** Every closed task due at or after this instant is held, and every one closed at or after `closedHorizon`. */
  private horizon?: number;
  private closedHorizon?: number;
  /** The next catch-up reads closes from here on. */
  private readFrom?: number;
  private builtAt = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Client,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The closed tasks due at or after `dueFrom` or closed at or after `closedFrom` (default: none by close), as
   * visibility holds them now. One catch-up at a time.
   */
  async covering(dueFrom: Date, closedFrom?: Date): Promise<ClosedTask[]> {
    const run = this.queue.then(() => this.catchUp(dueFrom.getTime(), closedFrom?.getTime()));
    this.queue = run.catch(() => undefined);
    await run;
    const closedSince = closedFrom?.getTime() ?? Infinity;
    return [...this.runs.values()].filter((t) => t.dueAt.getTime() >= dueFrom.getTime() || t.closedAt.getTime() >= closedSince);
  }

  /** How many closed runs are held (for the bench and the reconciliation test). */
  get size(): number {
    return this.runs.size;
  }

  private async catchUp(from: number, closedFrom?: number): Promise<void> {
    const started = this.clock();
    if (started - this.builtAt > REBUILD_MS) this.reset(started);
    const { horizon, closedHorizon, readFrom } = this;
    if (horizon === undefined || from < horizon) {
      const due = closedTasks().gte(SA.dueAt, new Date(from));
      await this.read(EVER, horizon === undefined ? due : due.lt(SA.dueAt, new Date(horizon)));
      this.horizon = from;
    }
    if (closedFrom !== undefined && (closedHorizon === undefined || closedFrom < closedHorizon)) {
      await this.read(closedFrom, closedTasks());
      this.closedHorizon = closedFrom;
    }
    // Whatever closed since the last read is kept, whatever its deadline: the trend looks back by close time.
    if (readFrom !== undefined) await this.read(readFrom, closedTasks());
    this.readFrom = started - VISIBILITY_LAG_MS;
  }

  private reset(now: number): void {
    this.runs.clear();
    this.horizon = undefined;
    this.closedHorizon = undefined;
    this.readFrom = undefined;
    this.builtAt = now;
  }

  /**
   * Closed tasks that closed at or after `closedSince`. The close time is what the store's index finds them by: SQL
   * visibility gives a running execution the close time 9999-12-31, so the upper bound leaves every open task unread.
   */
  private async read(closedSince: number, narrowing: VisibilityQuery): Promise<void> {
    const query = visibilityQuery().gte('CloseTime', new Date(closedSince)).lt('CloseTime', STILL_RUNNING).narrowedBy(narrowing);
    for (const t of await listClosed(this.client, query)) this.runs.set(t.runId, t);
  }
}

/** Closed tasks matching a query, read one by one. */
export async function listClosed(client: Client, query: VisibilityQuery): Promise<ClosedTask[]> {
  const out: ClosedTask[] = [];
  for await (const info of client.workflow.list({ query: query.build(), pageSize: 1000 })) {
    out.push({ ...summarize(info), runId: info.runId, unitPath: info.typedSearchAttributes.get(SA.unitPath) ?? [], closedAt: info.closeTime ?? new Date(0) });
  }
  return out;
}

function closedTasks(): VisibilityQuery {
  return visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).closed();
}

const indexes = new WeakMap<Client, ClosedTaskIndex>();

/** The index for this Temporal client: the HTTP server's lives as long as the server; a CLI command's, one command. */
export function closedTasksOf(client: Client): ClosedTaskIndex {
  let index = indexes.get(client);
  if (!index) indexes.set(client, (index = new ClosedTaskIndex(client)));
  return index;
}
