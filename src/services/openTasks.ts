import type { Client } from '@temporalio/client';
import type { AuditAction, AuditCursor, AuditEntry, AuditLog } from '../audit/log';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { SA } from '../shared/searchAttributes';
import { summarize, type TaskSummary } from '../tasks/query';
import { visibilityQuery, type VisibilityQuery } from '../tasks/visibilityQuery';

/**
 * The open tasks as visibility lists them, kept in memory so the dashboard's figures per unit are sums rather than
 * hundreds of count queries (each reads all of a unit's tasks in the dev server's store: about 2 s a figure for a
 * county of 100,000). Built by one listing of every open task, in the background; until then the dashboard counts.
 *
 * What changes an open task's row reaches it three ways, each read from where it starts: tasks started since the last
 * read (`ExecutionTime`, indexed), tasks closed since (`CloseTime`, indexed), and every step taken on a task through
 * the CLI, the pages or the API, which the audit log names (each such task is read again, and again for a while,
 * since visibility trails a change). What the engine does by itself to many tasks at once after an audited change (an
 * emergency moving deadlines, a holiday re-plan, a roster change) is picked up by listing everything again a little
 * later, and so is anything done to tasks outside this system, within the hour. Every row here comes from Temporal:
 * the reconciliation test checks the figures against count queries, and a rebuild is the same listing as the first.
 */

/** An open task's row, with the unit path the scope is checked against. */
export interface OpenTask extends TaskSummary {
  runId: string;
  unitPath: string[];
}

/**
 * Visibility records a change a moment after it happens (well under a second on the dev server): what a read may
 * have come too early for is read again. Everything started or closed this recently is listed on every catch-up.
 */
const VISIBILITY_LAG_MS = 15_000;
/** After an emergency, a re-plan or a roster change, when the engine has moved the tasks it concerns. */
const SETTLE_MS = 2 * 60_000;
const REBUILD_MS = 3_600_000;
/** Steps whose tasks are many and moved by the engine afterwards: everything is listed again. */
const WIDE_ACTIONS: AuditAction[] = ['emergency.suspend', 'emergency.extend', 'emergency.lift', 'calendar.replan', 'catalog.apply'];
const IDS_PER_READ = 50;
const STILL_RUNNING = new Date('9000-01-01T00:00:00Z');

/** Open tasks by task id, with the values they share. */
class Rows extends Map<string, OpenTask> {
  readonly shared = new Shared();
}

export class OpenTaskIndex {
  private rows?: Rows;
  private building?: Promise<void>;
  private builtAt = 0;
  /** Catch-up reads start from here (the previous one's start, less the lag). */
  private readFrom = 0;
  private auditCursor: AuditCursor = 0;
  /** Tasks named by recent audited steps, read again until the time given. */
  private readonly touched = new Map<string, number>();
  private rebuildAt?: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: Client,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The open tasks, caught up with what changed since the last call; undefined until the first listing is done (it
   * is started by the first call). One catch-up at a time.
   */
  async current(): Promise<OpenTask[] | undefined> {
    if (!this.rows) {
      this.startBuild();
      return undefined;
    }
    const run = this.queue.then(() => this.catchUp());
    this.queue = run.catch(() => undefined);
    await run;
    return this.rows ? [...this.rows.values()] : undefined;
  }

  /** Like `current`, but never starts the first listing: for a caller that would rather count than wait. */
  async ifBuilt(): Promise<OpenTask[] | undefined> {
    return this.rows ? this.current() : undefined;
  }

  /** Resolves once the first listing is in (for the bench and tests). */
  async ready(): Promise<void> {
    if (!this.rows) this.startBuild();
    await this.building;
  }

  private startBuild(): void {
    if (this.building) return;
    this.rebuildAt = undefined;
    this.building = this.build(this.clock()).finally(() => {
      this.building = undefined;
    });
    // A failed listing leaves the old rows (or none) and is tried again on the next call.
    this.building.catch(() => undefined);
  }

  private async build(began: number): Promise<void> {
    // Steps already taken are in the listing about to start; those recent enough are read again as usual.
    const { entries, next } = await this.audit.since(this.auditCursor);
    this.note(entries, began);
    const state = { rows: new Rows(), readFrom: began - VISIBILITY_LAG_MS, auditCursor: next };
    await read(this.client, runningTasks(), state.rows);
    // What changed while the listing ran is read as any catch-up would, before the new rows take over.
    await this.catchUpOn(state);
    this.rows = state.rows;
    this.readFrom = state.readFrom;
    this.auditCursor = state.auditCursor;
    this.builtAt = began;
  }

  private async catchUp(): Promise<void> {
    if (!this.rows) return;
    const state = { rows: this.rows, readFrom: this.readFrom, auditCursor: this.auditCursor };
    await this.catchUpOn(state);
    if (state.rows !== this.rows) return;
    this.readFrom = state.readFrom;
    this.auditCursor = state.auditCursor;
    const now = this.clock();
    if ((this.rebuildAt !== undefined && now >= this.rebuildAt) || now - this.builtAt > REBUILD_MS) this.startBuild();
  }

  /** Audited steps: their tasks are read again for a while; a wide one has everything listed again once it settled. */
  private note(entries: AuditEntry[], now: number): void {
    for (const e of entries) {
      const at = Date.parse(e.at);
      if (e.action.startsWith('task.') && at > now - VISIBILITY_LAG_MS) this.touched.set(e.target, now + VISIBILITY_LAG_MS);
      if (WIDE_ACTIONS.includes(e.action) && at + SETTLE_MS > now) this.rebuildAt = Math.min(this.rebuildAt ?? Infinity, at + SETTLE_MS);
    }
  }

  private async catchUpOn(state: { rows: Rows; readFrom: number; auditCursor: AuditCursor }): Promise<void> {
    const started = this.clock();
    const since = new Date(state.readFrom);
    const { entries, next } = await this.audit.since(state.auditCursor);
    this.note(entries, started);
    for (const [taskId, until] of this.touched) if (until < started) this.touched.delete(taskId);
    const ids = [...this.touched.keys()];
    await Promise.all([
      read(this.client, visibilityQuery().gte('ExecutionTime', since).narrowedBy(runningTasks()), state.rows),
      closedSince(this.client, since, state.rows),
      ...chunks(ids, IDS_PER_READ).map((some) => reread(this.client, some, state.rows)),
    ]);
    state.readFrom = started - VISIBILITY_LAG_MS;
    state.auditCursor = next;
  }
}

function runningTasks(): VisibilityQuery {
  return visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).running();
}

/**
 * Rows share what many tasks have alike (a unit's path, a duty's title, a period, a set of flags): 100,000 rows hold
 * a few thousand distinct values, and each would otherwise be its own copy.
 */
class Shared {
  private readonly values = new Map<string, unknown>();

  of<T>(key: string, value: T): T {
    const known = this.values.get(key);
    if (known !== undefined) return known as T;
    this.values.set(key, value);
    return value;
  }
}

function toRow(info: Parameters<typeof summarize>[0] & { runId: string }, shared: Shared): OpenTask {
  const t = summarize(info);
  const unitPath = info.typedSearchAttributes.get(SA.unitPath) ?? [];
  const text = (v: string) => shared.of(`s:${v}`, v);
  return {
    ...t,
    dutyId: text(t.dutyId),
    dutyTitle: text(t.dutyTitle),
    period: text(t.period),
    assignee: text(t.assignee),
    unit: text(t.unit),
    township: t.township === undefined ? undefined : text(t.township),
    dueOn: text(t.dueOn),
    flags: shared.of(`f:${t.flags.join(',')}`, t.flags),
    runId: info.runId,
    unitPath: shared.of(`p:${unitPath.join('/')}`, unitPath),
  };
}

async function read(client: Client, query: VisibilityQuery, rows: Rows): Promise<void> {
  for await (const info of client.workflow.list({ query: query.build(), pageSize: 1000 })) rows.set(info.workflowId, toRow(info, rows.shared));
}

/** Tasks read again by id: those still open replace their rows; a closed one is left to `closedSince`. */
async function reread(client: Client, ids: string[], rows: Rows): Promise<void> {
  await read(client, visibilityQuery().in('WorkflowId', ids).narrowedBy(runningTasks()), rows);
}

/** Removes the runs that closed since `since` (a task continued as new keeps its newer run). */
async function closedSince(client: Client, since: Date, rows: Rows): Promise<void> {
  const query = visibilityQuery().gte('CloseTime', since).lt('CloseTime', STILL_RUNNING).narrowedBy(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE));
  for await (const info of client.workflow.list({ query: query.build(), pageSize: 1000 })) {
    if (rows.get(info.workflowId)?.runId === info.runId) rows.delete(info.workflowId);
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

const indexes = new WeakMap<Client, Map<string, OpenTaskIndex>>();

/** The index for this Temporal client and audit log; the HTTP server's lives as long as the server. */
export function openTasksOf(client: Client, audit: AuditLog): OpenTaskIndex {
  const byLog = indexes.get(client) ?? new Map<string, OpenTaskIndex>();
  indexes.set(client, byLog);
  let index = byLog.get(audit.where);
  if (!index) byLog.set(audit.where, (index = new OpenTaskIndex(client, audit)));
  return index;
}
