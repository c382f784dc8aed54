import type { Client, WorkflowExecutionInfo } from '@temporalio/client';

/**
 * Every execution a visibility query matches, less the runs that handed their history to a successor (continue-as-new).
 * Visibility keeps such a run, closed, with the search attributes it had then: a long-overdue task, which continues as
 * new after many follow-ups, would otherwise be listed, reported and counted in the 考核 twice.
 */
export async function* latestRuns(client: Client, options: { query: string; pageSize?: number }): AsyncIterable<WorkflowExecutionInfo> {
  for await (const info of client.workflow.list(options)) {
    if (info.status.name !== 'CONTINUED_AS_NEW') yield info;
  }
}
