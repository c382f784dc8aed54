import { safeId } from '../../src/notify/channel';
import { storeBackend } from '../../src/store/backend';
import type { DeliveryLog } from '../../src/store/deliveries';
import { deliveryLogOf } from '../../src/store/records';
import type { DeliveryRecord } from '../../src/contracts/dutyTask';
import { eachParallel } from './tasks';

export interface NoticeAccount {
  /** Notices whose message the channel accepted. */
  delivered: number;
  lost: number;
  /** Per delivered notice: when its message was accepted, less the planned instant (ms). */
  lateness: number[];
  /** Distinct messages that carried them. */
  messages: number;
}

/** The delivery log the worker started with `env` writes: its data folder's, or the database's. */
export async function workerDeliveries(env: Readonly<Record<string, string | undefined>>): Promise<DeliveryLog> {
  return deliveryLogOf(await storeBackend({ dataDir: env.DUTY_DATA_DIR as string, databaseUrl: env.DUTY_DATABASE_URL }));
}

/** When the channel first accepted a message, by the engine's message id; undefined while it has not. */
export type ArrivalOf = (messageId: string) => number | undefined;

/**
 * Which message carried each task's notice (the engine's delivery log), and when the channel accepted that message
 * (the channel's own record): a notice counts as delivered only when both agree.
 */
export async function accountNotices(env: Readonly<Record<string, string | undefined>>, taskIds: string[], kind: DeliveryRecord['kind'], plannedAtMs: number, arrivalOf: ArrivalOf): Promise<NoticeAccount> {
  const log = await workerDeliveries(env);
  const lateness: number[] = [];
  const messages = new Set<string>();
  await eachParallel(taskIds, 32, async (taskId) => {
    const sent = (await log.forTask(taskId)).find((d) => d.kind === kind && d.result === 'sent' && d.messageId);
    const at = sent?.messageId ? arrivalOf(sent.messageId) : undefined;
    if (at === undefined || !sent?.messageId) return;
    lateness.push(at - plannedAtMs);
    messages.add(sent.messageId);
  });
  return { delivered: lateness.length, lost: taskIds.length - lateness.length, lateness, messages: messages.size };
}

/** The SMTP sink knows messages by Message-ID, which the mail channel makes from the engine's id. */
export function smtpArrivals(arrivals: { messageId: string; at: number }[]): ArrivalOf {
  const first = new Map<string, number>();
  for (const a of arrivals) if (!first.has(a.messageId)) first.set(a.messageId, a.at);
  return (id) => first.get(`<${safeId(id)}@duty-engine>`);
}
