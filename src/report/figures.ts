import type { Client } from '@temporalio/client';
import type { FieldValue } from '../shared/completion';
import { SA, type TaskStatus } from '../shared/searchAttributes';
import { type TaskState, taskStateQuery } from '../contracts/dutyTask';
import { latestRuns } from '../tasks/latestRuns';

export interface TaskFigures {
  taskId: string;
  period: string;
  phase?: string;
  unitId: string;
  townshipId?: string;
  status: TaskStatus;
  dueOn: string;
  figures?: Record<string, FieldValue>;
}

/** `task:<duty>:<period>[:<phase>]:<owner>`; scheduled periods never contain a colon. */
function phaseOf(taskId: string): string | undefined {
  const parts = taskId.split(':');
  return parts.length === 5 ? parts[3] : undefined;
}

/**
 * Tasks matching a visibility query, with the figures their completion recorded. The figures come from the memo the
 * task writes when it is completed, so a roll-up over hundreds of villages is one listing; tasks completed before
 * that memo existed are asked for their state one by one.
 */
export async function listTaskFigures(client: Client, query: string): Promise<TaskFigures[]> {
  const out: TaskFigures[] = [];
  for await (const info of latestRuns(client, { query })) {
    const sa = info.typedSearchAttributes;
    const memo = (info.memo ?? {}) as { dueOn?: string; figures?: Record<string, FieldValue> };
    out.push({
      taskId: info.workflowId,
      period: sa.get(SA.period) ?? '',
      phase: phaseOf(info.workflowId),
      unitId: sa.get(SA.unit) ?? '',
      townshipId: sa.get(SA.township),
      status: (sa.get(SA.status) ?? 'open') as TaskStatus,
      dueOn: memo.dueOn ?? '',
      figures: memo.figures,
    });
  }
  await Promise.all(
    out
      .filter((t) => t.status === 'done' && !t.figures)
      .map(async (t) => {
        const state: TaskState = await client.workflow.getHandle(t.taskId).query(taskStateQuery);
        t.figures = state.completion?.fields ?? {};
      }),
  );
  return out.sort((a, b) => a.taskId.localeCompare(b.taskId));
}
