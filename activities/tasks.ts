import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { TaskInput } from '../src/contracts/dutyTask';
import { startTask } from '../src/tasks/start';

const PARALLEL_STARTS = 16;

export function taskActivities({ client, taskQueue }: { client: Client; taskQueue: string }) {
  return {
    /** Idempotent by the task ids; the heartbeat lets a retried attempt skip what it already opened. */
    async openTasks(tasks: TaskInput[]): Promise<{ opened: string[]; alreadyOpen: string[] }> {
      const ctx = Context.current();
      const resumeFrom = (ctx.info.heartbeatDetails as number | undefined) ?? 0;
      const opened: string[] = [];
      const alreadyOpen: string[] = tasks.slice(0, resumeFrom).map((t) => t.taskId);
      for (let i = resumeFrom; i < tasks.length; i += PARALLEL_STARTS) {
        const chunk = tasks.slice(i, i + PARALLEL_STARTS);
        const results = await Promise.all(chunk.map((t) => startTask(client, taskQueue, t)));
        results.forEach((r, j) => (r === 'opened' ? opened : alreadyOpen).push(chunk[j]?.taskId ?? ''));
        ctx.heartbeat(i + chunk.length);
      }
      return { opened, alreadyOpen };
    },
  };
}
