import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { TaskInput } from '../src/contracts/dutyTask';
import { openTaskBatch } from '../src/tasks/openBatch';

export function taskActivities({ client, taskQueue }: { client: Client; taskQueue: string }) {
  return {
    /** Idempotent by the task ids; the heartbeat lets a retried attempt skip what it already opened. */
    async openTasks(tasks: TaskInput[]): Promise<{ opened: string[]; alreadyOpen: string[] }> {
      const ctx = Context.current();
      return openTaskBatch(client, taskQueue, tasks, { resumeFrom: (ctx.info.heartbeatDetails as number | undefined) ?? 0, progress: (n) => ctx.heartbeat(n) });
    },
  };
}
