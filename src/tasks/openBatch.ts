import type { Client } from '@temporalio/client';
import type { TaskInput } from '../contracts/dutyTask';
import { enrollInHeralds, releaseExisting, withHeralds } from './heralds';
import { startTask } from './start';

const PARALLEL_STARTS = 16;
/** Tasks enrolled in their heralds per round trip, before they start. */
const ENROL_AHEAD = 500;

export interface OpenBatchOptions {
  /** Tasks a previous attempt already handled (from its heartbeat). */
  resumeFrom?: number;
  /** Told how many tasks are handled, after each group of starts. */
  progress?: (handled: number) => void;
}

/**
 * Opens a cycle's tasks under their business ids, each enrolled in its occurrence's herald before it starts.
 * Idempotent: a task that exists already is left as it is.
 */
export async function openTaskBatch(client: Client, taskQueue: string, plan: TaskInput[], opts: OpenBatchOptions = {}): Promise<{ opened: string[]; alreadyOpen: string[] }> {
  const tasks = withHeralds(plan);
  const resumeFrom = opts.resumeFrom ?? 0;
  const opened: string[] = [];
  const alreadyOpen: string[] = tasks.slice(0, resumeFrom).map((t) => t.taskId);
  for (let i = resumeFrom; i < tasks.length; i += ENROL_AHEAD) {
    const round = tasks.slice(i, i + ENROL_AHEAD);
    await enrollInHeralds(client, taskQueue, round);
    const existing: TaskInput[] = [];
    for (let j = 0; j < round.length; j += PARALLEL_STARTS) {
      const chunk = round.slice(j, j + PARALLEL_STARTS);
      const results = await Promise.all(chunk.map((t) => startTask(client, taskQueue, t)));
      results.forEach((r, k) => {
        const t = chunk[k] as TaskInput;
        (r === 'opened' ? opened : alreadyOpen).push(t.taskId);
        if (r === 'exists') existing.push(t);
      });
      opts.progress?.(i + j + chunk.length);
    }
    await releaseExisting(client, existing);
  }
  return { opened, alreadyOpen };
}
