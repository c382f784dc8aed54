import type { Client, WorkflowHandle } from '@temporalio/client';
import { canSeeTask, scopeOf, type Viewer } from '../auth/policy';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import { NotFoundError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { SA } from '../shared/searchAttributes';

export interface VisibleTask {
  handle: WorkflowHandle;
  running: boolean;
  assignee: { personId: string; unitId: string };
}

/**
 * Describes the workflow and refuses, as not found, anything that is not a task the viewer may see. The assignee
 * comes from the search attributes, which a reassignment (转办) keeps current.
 */
export async function visibleTask(client: Client, tree: OrgTree, viewer: Viewer, taskId: string): Promise<VisibleTask> {
  const handle = client.workflow.getHandle(taskId);
  const d = await handle.describe();
  const sa = d.typedSearchAttributes;
  const assignee = { personId: sa.get(SA.assignee) ?? '', unitId: sa.get(SA.unit) ?? '' };
  if (d.type !== TASK_WORKFLOW_TYPE || !canSeeTask(tree, scopeOf(tree, viewer), { unit: assignee.unitId, assignee: assignee.personId })) {
    throw new NotFoundError('任务', taskId);
  }
  return { handle, running: d.status.name === 'RUNNING', assignee };
}
