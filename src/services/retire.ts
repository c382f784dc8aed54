import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Actor } from '../audit/log';
import { OPERATOR } from '../auth/policy';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { DutyError, UsageError } from '../errors';
import { SA } from '../shared/searchAttributes';
import type { Duty } from '../shared/types';
import { summarize, type TaskSummary } from '../tasks/query';
import { visibilityQuery } from '../tasks/visibilityQuery';
import type { ServiceContext } from './context';
import { describeError } from './describeError';
import { waiveTask } from './tasks';

/**
 * A duty removed from the catalog: `duty apply` deletes its schedule, and its open tasks run to their end unless the
 * apply is told to close them (`--close-open-tasks`), which waives each one with the reason on the task and in the audit.
 */

/** `duty apply --close-open-tasks --by <admin> [--reason …]`. */
export interface CloseOpenTasks {
  /** The administrator the waivers are made in the name of, as for `task waive --by`. */
  by: string;
  reason?: string;
}

export interface RetiredTask {
  taskId: string;
  dutyId: string;
  dutyTitle: string;
  period: string;
  assignee: string;
  dueOn: string;
  /**
   * `kept`: runs on to its end; `to-close`: a dry run with `--close-open-tasks` would waive it; `waived`: this apply
   * waived it; `refused`: the task refused the waiver (`message` says why) and runs on.
   */
  outcome: 'kept' | 'to-close' | 'waived' | 'refused';
  message?: string;
}

/** Refuses, before anything changes, a `--by` who is not an administrator in the roster. */
export async function checkCloser(ctx: ServiceContext, close: CloseOpenTasks, dir?: string): Promise<void> {
  const tree = await ctx.tree(dir);
  if (!tree.hasPerson(close.by) || !tree.person(close.by).roles.includes('admin')) {
    throw new UsageError(`--by ${close.by} 不是名册中的管理员 (admin),不能免除任务`);
  }
}

/** Every task still open whose duty is not in the catalog: it was removed by this apply or an earlier one. */
export async function retiredOpenTasks(ctx: ServiceContext, duties: readonly Duty[]): Promise<RetiredTask[]> {
  const query = duties.reduce((q, d) => q.neq(SA.dutyId, d.id), visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).running()).build();
  const found: TaskSummary[] = [];
  for await (const info of (await ctx.temporal()).workflow.list({ query })) found.push(summarize(info));
  return found
    .sort((a, b) => a.dutyId.localeCompare(b.dutyId) || a.taskId.localeCompare(b.taskId))
    .map((t) => ({ taskId: t.taskId, dutyId: t.dutyId, dutyTitle: t.dutyTitle, period: t.period, assignee: t.assignee, dueOn: t.dueOn, outcome: 'kept' }));
}

/** The reason a waiver records: the one given, or which duty left the catalog. */
export function retireReason(task: Pick<RetiredTask, 'dutyId' | 'dutyTitle'>, close: CloseOpenTasks): string {
  return close.reason?.trim() || `职责 ${task.dutyId}(${task.dutyTitle})已从职责目录移除,应用目录时一并免除`;
}

/** Waives each task through the same step as `task waive` (so each is audited); one that refuses is reported, not fatal. */
export async function closeRetiredTasks(ctx: ServiceContext, actor: Actor, close: CloseOpenTasks, tasks: readonly RetiredTask[]): Promise<RetiredTask[]> {
  const results: RetiredTask[] = [];
  for (const task of tasks) {
    try {
      await waiveTask(ctx, OPERATOR, actor, task.taskId, { by: close.by, reason: retireReason(task, close) });
      results.push({ ...task, outcome: 'waived' });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError || err instanceof DutyError)) throw err;
      results.push({ ...task, outcome: 'refused', message: describeError(err).message });
    }
  }
  return results;
}
