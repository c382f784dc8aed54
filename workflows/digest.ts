import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, proxyActivities, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { DailyDigestResult, DigestDelivery, DigestRequest } from '../src/contracts/digest';
import { failureDetail } from './support';

const { planDigest } = proxyActivities<activities.Activities>({ startToCloseTimeout: '2 minutes' });

/** Like single notices: retried with backoff through a chat robot's rate limit, never failing the run. */
const { sendDigest } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

/** Robots accept about 20 messages a minute per group; a few at a time keeps a large run inside that. */
const CONCURRENCY = 5;

/** Started by the `digest:daily` schedule: one message per digest person listing their due-soon and overdue tasks. */
export async function dailyDigest(): Promise<DailyDigestResult> {
  const plan = await planDigest();
  const deliveries: DigestDelivery[] = [];
  for (let i = 0; i < plan.digests.length; i += CONCURRENCY) {
    deliveries.push(...(await Promise.all(plan.digests.slice(i, i + CONCURRENCY).map(sendOnce))));
  }
  return { date: plan.date, workday: plan.workday, deliveries };
}

/**
 * The child's workflow id is `digest:<personId>:<date>`, rejected when reused: a second trigger the same day, or a
 * retried run, finds it and sends nothing.
 */
async function sendOnce(req: DigestRequest): Promise<DigestDelivery> {
  try {
    return await executeChild(personDigest, { workflowId: req.digestId, args: [req], workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { digestId: req.digestId, personId: req.personId, channel: 'none', result: 'duplicate', items: req.items.length };
    }
    throw err;
  }
}

export async function personDigest(req: DigestRequest): Promise<DigestDelivery> {
  try {
    return await sendDigest(req);
  } catch (err) {
    return { digestId: req.digestId, personId: req.personId, channel: 'none', result: 'failed', items: req.items.length, detail: failureDetail(err) };
  }
}
