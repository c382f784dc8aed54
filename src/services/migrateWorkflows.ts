import { type Client, WorkflowNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { type QueryDefinition, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';
import { LIFECYCLE_WORKFLOW_TYPE, lifecycleHandoverQuery } from '../contracts/monitoringLifecycle';
import { HOUSEHOLD_WORKFLOW_TYPE, householdHandoverQuery } from '../contracts/household';
import { NOTICES_WORKFLOW_TYPE, heraldHandoverQuery } from '../contracts/dutyNotices';
import { REVISIT_WORKFLOW_TYPE, revisitHandoverQuery } from '../contracts/revisitProgramme';
import { TASK_WORKFLOW_TYPE, taskHandoverQuery } from '../contracts/dutyTask';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared/searchAttributes';
import { type HeldCopy, MIGRATED_MEMO, type MigratedMark, releaseCopySignal } from '../contracts/migration';

/** A kind of workflow `duty migrate` moves: how to find it on the source and what it carries. */
export interface WorkflowKind {
  label: string;
  type: string;
  status: 'Running' | 'Completed';
  handover: QueryDefinition<{ input: unknown; carry: unknown }>;
}

/**
 * In the order the cut-over takes them: a task before the herald and the programme it reports to, so whatever it
 * told them before it stopped on the source is in their state when they stop.
 */
export const WORKFLOW_KINDS: WorkflowKind[] = [
  { label: '未办结任务', type: TASK_WORKFLOW_TYPE, status: 'Running', handover: taskHandoverQuery },
  { label: '已办结任务', type: TASK_WORKFLOW_TYPE, status: 'Completed', handover: taskHandoverQuery },
  { label: '提醒批次', type: NOTICES_WORKFLOW_TYPE, status: 'Running', handover: heraldHandoverQuery },
  { label: '回头看计划', type: REVISIT_WORKFLOW_TYPE, status: 'Running', handover: revisitHandoverQuery },
  { label: '识别帮扶流程', type: LIFECYCLE_WORKFLOW_TYPE, status: 'Running', handover: lifecycleHandoverQuery },
  { label: '监测户', type: HOUSEHOLD_WORKFLOW_TYPE, status: 'Running', handover: householdHandoverQuery },
] as WorkflowKind[];

export async function sourceExecutions(client: Client, kind: WorkflowKind): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowType = '${kind.type}' AND ExecutionStatus = '${kind.status}'` })) found.push(info);
  return found;
}

export async function targetMark(target: Client, workflowId: string): Promise<{ mark?: MigratedMark; running: boolean; runId: string } | undefined> {
  try {
    const d = await target.workflow.getHandle(workflowId).describe();
    return { mark: d.memo?.[MIGRATED_MEMO] as MigratedMark | undefined, running: d.status.name === 'RUNNING', runId: d.runId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Only the project's own attributes: the server's (build ids, patch versions) are its own to set. */
function ownAttributes(attrs: TypedSearchAttributes): SearchAttributePair[] {
  return attrs.getAll().filter((p) => p.key.name in SEARCH_ATTRIBUTE_TYPES);
}

export interface CopyContext {
  source: Client;
  target: Client;
  taskQueue: string;
  address: string;
}

/**
 * Starts the copy of one source execution on the target: held (it waits for the cut-over and sends nothing) for a
 * running one, as it stands for a closed task. A run of the target's own under the same id (a task the cluster
 * opened when its catalog was applied) gives way to the source's record. Returns whether it started anything.
 */
export async function copyExecution(ctx: CopyContext, kind: WorkflowKind, info: WorkflowExecutionInfo): Promise<boolean> {
  const existing = await targetMark(ctx.target, info.workflowId);
  if (existing?.mark?.runId === info.runId) return false;
  if (existing) await remove(ctx.target, info.workflowId, existing.runId, existing.running, '迁移:由源安装的记录替换');
  // The latest run: a task may have continued as new since it was listed.
  const { input, carry } = await ctx.source.workflow.getHandle(info.workflowId).query(kind.handover);
  const mark: MigratedMark = { runId: info.runId, held: kind.status === 'Running' };
  await ctx.target.workflow.start(kind.type, {
    workflowId: info.workflowId,
    taskQueue: ctx.taskQueue,
    args: [input, mark.held ? ({ heldForMigration: mark } satisfies HeldCopy) : carry],
    memo: { ...info.memo, [MIGRATED_MEMO]: mark },
    typedSearchAttributes: ownAttributes(info.typedSearchAttributes),
  });
  return true;
}

/** Lists and reports would otherwise show the task twice. Terminated first, since deleting happens in the background. */
async function remove(client: Client, workflowId: string, runId: string, running: boolean, reason: string): Promise<void> {
  if (running) await client.workflow.getHandle(workflowId, runId).terminate(reason);
  await client.workflowService.deleteWorkflowExecution({ namespace: client.options.namespace, workflowExecution: { workflowId, runId } });
}

/**
 * The cut-over of one execution: the source run stops first, then its final state (read from the stopped run, so
 * nothing it did is missed) releases the held copy. A send the source had begun and not recorded is sent again by
 * the target: at most one duplicate, never a lost reminder. Returns whether it released anything.
 */
export async function cutOver(ctx: CopyContext, kind: WorkflowKind, info: WorkflowExecutionInfo): Promise<boolean> {
  const copy = await targetMark(ctx.target, info.workflowId);
  if (!copy?.mark?.held || copy.mark.runId !== info.runId) return false;
  const handle = ctx.source.workflow.getHandle(info.workflowId);
  if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate(`已迁移到 ${ctx.address}`);
  const { carry } = await handle.query(kind.handover);
  await ctx.target.workflow.getHandle(info.workflowId, copy.runId).signal(releaseCopySignal, { carry });
  return true;
}

export async function countCopies(target: Client, infos: WorkflowExecutionInfo[]): Promise<number> {
  let n = 0;
  for (const info of infos) if ((await targetMark(target, info.workflowId))?.mark?.runId === info.runId) n += 1;
  return n;
}
