/**
 * The bench's yardstick: a workflow of the same shape as a duty task (one timer, one activity, one Update, then
 * closed) with no engine code at all. Engine throughput is reported as a ratio to this one, run in the same process
 * against the same server, so the machine's speed cancels out.
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';

export const finishUpdate = defineUpdate<void>('finish');

const { noop } = proxyActivities<{ noop(workflowId: string): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function bareTask(timerMs: number): Promise<void> {
  let finished = false;
  setHandler(finishUpdate, () => {
    finished = true;
  });
  await sleep(timerMs);
  await noop(workflowInfo().workflowId);
  await condition(() => finished);
}

const { sendBare } = proxyActivities<{ sendBare(workflowId: string): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/** The herd's yardstick: one timer to the shared instant, one send to the outbox, nothing else. */
export async function bareHerdTask(atMs: number): Promise<void> {
  await sleep(Math.max(0, atMs - Date.now()));
  await sendBare(workflowInfo().workflowId);
}
