import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';

/** Moves the test server's clock to a local (Asia/Shanghai) wall time such as `2027-03-12T10:00`. */
export async function sleepUntil(env: TestWorkflowEnvironment, local: string): Promise<void> {
  const target = DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toMillis();
  const now = await env.currentTimeMs();
  if (target <= now) throw new Error(`test clock is already past ${local}`);
  await env.sleep(target - now);
}

export function shanghai(local: string): string {
  return DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toISO() ?? local;
}
