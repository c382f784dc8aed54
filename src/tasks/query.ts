import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { UsageError } from '../errors';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { SA, type TaskFlag, type TaskStatus } from '../shared/searchAttributes';
import { FLAG_NAMES } from '../shared/taskStates';
import { visibilityQuery, type VisibilityQuery } from './visibilityQuery';
import { latestRuns } from './latestRuns';

export const TASK_STATUSES: TaskStatus[] = ['open', 'overdue', 'review', 'done', 'waived'];
export const TASK_FLAGS = Object.keys(FLAG_NAMES) as TaskFlag[];

export interface TaskFilter {
  assignee?: string;
  /** The unit and everything under it. */
  unit?: string;
  dutyId?: string;
  period?: string;
  statuses?: TaskStatus[];
  /** Tasks carrying any of these flags. */
  flags?: TaskFlag[];
  /** Only tasks whose deadline instant is before this. */
  dueBefore?: Date;
  /** Stop reading after this many (in visibility's order, before sorting): for a caller that refuses more. */
  limit?: number;
}

export interface TaskSummary {
  taskId: string;
  dutyId: string;
  dutyTitle: string;
  phaseTitle?: string;
  period: string;
  assignee: string;
  unit: string;
  township?: string;
  status: TaskStatus;
  dueOn: string;
  dueAt: Date;
  escalationLevel: number;
  provisional: boolean;
  flags: TaskFlag[];
  /** Extensions granted; `dueOn`/`dueAt` are then the extended deadline and `originalDueOn` the first one. */
  extensions: number;
  /** Completions a reviewer sent back. */
  returns: number;
  latestProgress?: { at: string; note: string };
  originalDueOn?: string;
  /** When the accepted completion was registered: with review, on time means submitted by the deadline, not accepted. */
  completedAt?: Date;
}

/** What a listing reads of the task workflow's memo; tasks opened before the 督办 steps have only the first three. */
interface TaskMemo {
  dutyTitle?: string;
  phaseTitle?: string;
  dueOn?: string;
  originalDueOn?: string;
  extensions?: number;
  returns?: number;
  progress?: { at: string; note: string };
  completedAt?: string;
}

const SAFE_ID = /^[A-Za-z0-9_.:-]+$/;

/** Ids typed by people are checked here, for a clear message; quoting is the query builder's job. */
function checkedId(value: string, what: string): string {
  if (!SAFE_ID.test(value)) throw new UsageError(`${what} 含有非法字符: ${JSON.stringify(value)}`);
  return value;
}

/** The task filter as a query builder, for callers that narrow it further (e.g. by township). */
export function taskQueryBuilder(filter: TaskFilter): VisibilityQuery {
  let q = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE);
  if (filter.assignee) q = q.eq(SA.assignee, checkedId(filter.assignee, '人员编号'));
  if (filter.unit) q = q.eq(SA.unitPath, checkedId(filter.unit, '单位编号'));
  if (filter.dutyId) q = q.eq(SA.dutyId, checkedId(filter.dutyId, '职责编号'));
  if (filter.period) q = q.eq(SA.period, checkedId(filter.period, '周期'));
  if (filter.statuses?.length) q = q.in(SA.status, filter.statuses);
  if (filter.flags?.length) q = q.in(SA.flags, filter.flags);
  if (filter.dueBefore) q = q.lt(SA.dueAt, filter.dueBefore);
  return q;
}

/** The visibility query behind every task listing and report; it can be pasted into `temporal workflow list --query`. */
export function taskQuery(filter: TaskFilter): string {
  return taskQueryBuilder(filter).build();
}

/** A flag published by a newer workflow than this reader knows has no name to show, so it is left out. */
function isTaskFlag(value: string): value is TaskFlag {
  return (TASK_FLAGS as string[]).includes(value);
}

export function summarize(info: Pick<WorkflowExecutionInfo, 'workflowId' | 'typedSearchAttributes' | 'memo'>): TaskSummary {
  const sa = info.typedSearchAttributes;
  const memo = (info.memo ?? {}) as TaskMemo;
  const dueAt = sa.get(SA.dueAt) ?? new Date(0);
  return {
    taskId: info.workflowId,
    dutyId: sa.get(SA.dutyId) ?? '',
    dutyTitle: memo.dutyTitle ?? sa.get(SA.dutyId) ?? '',
    phaseTitle: memo.phaseTitle,
    period: sa.get(SA.period) ?? '',
    assignee: sa.get(SA.assignee) ?? '',
    unit: sa.get(SA.unit) ?? '',
    township: sa.get(SA.township),
    status: (sa.get(SA.status) ?? 'open') as TaskStatus,
    dueOn: memo.dueOn ?? '',
    dueAt,
    escalationLevel: sa.get(SA.escalationLevel) ?? 0,
    provisional: sa.get(SA.provisional) ?? false,
    flags: (sa.get(SA.flags) ?? []).filter(isTaskFlag),
    extensions: memo.extensions ?? 0,
    returns: memo.returns ?? 0,
    latestProgress: memo.progress ? { at: memo.progress.at, note: memo.progress.note } : undefined,
    originalDueOn: memo.originalDueOn,
    ...(memo.completedAt ? { completedAt: new Date(memo.completedAt) } : {}),
  };
}

export async function listTasks(client: Client, filter: TaskFilter): Promise<TaskSummary[]> {
  return listTasksWhere(client, taskQueryBuilder(filter), filter.limit);
}

/** Tasks matching a query, soonest deadline first; at most `limit` read (in visibility's order, before sorting). */
export async function listTasksWhere(client: Client, query: VisibilityQuery, limit?: number): Promise<TaskSummary[]> {
  const tasks: TaskSummary[] = [];
  for await (const info of latestRuns(client, { query: query.build() })) {
    tasks.push(summarize(info));
    if (limit !== undefined && tasks.length >= limit) break;
    // The SDK decodes a page's rows as they are pulled, all in microtasks: a pause every 100 rows lets other requests in.
    if (tasks.length % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return tasks.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.taskId.localeCompare(b.taskId));
}

/**
 * The task filter applied to a task already read, for tasks kept in memory (closed ones): the same test as
 * `taskQueryBuilder` puts to visibility, field by field.
 */
export function matchesTaskFilter(task: TaskSummary & { unitPath: readonly string[] }, filter: TaskFilter): boolean {
  if (filter.assignee && task.assignee !== filter.assignee) return false;
  if (filter.unit && !task.unitPath.includes(filter.unit)) return false;
  if (filter.dutyId && task.dutyId !== filter.dutyId) return false;
  if (filter.period && task.period !== filter.period) return false;
  if (filter.statuses?.length && !filter.statuses.includes(task.status)) return false;
  if (filter.flags?.length && !filter.flags.some((f) => task.flags.includes(f))) return false;
  return !filter.dueBefore || task.dueAt.getTime() < filter.dueBefore.getTime();
}
