import type { Logger } from 'pino';
import type { OrgTree } from '../roster/orgTree';
import type { DeliveryRecord, NotifyRequest } from '../contracts/dutyTask';
import type { ChannelName, Person } from '../shared/types';
import type { NotificationChannel } from './channel';
import { foldsIntoDigest } from './digest';
import { composeMessage } from './messages';
import { contactOf, sendRouted } from './routing';

interface Recipient {
  person: Person;
  role: 'assignee' | 'supervisor';
}

/**
 * Sends one notification to everyone it concerns, each on their preferred channel; an assignee who takes the daily
 * digest gets it there instead.
 * A ledger keyed by notification and recipient makes a retried or replayed send a no-op while the worker runs.
 */
export class Notifier {
  private readonly ledger = new Map<string, DeliveryRecord>();

  constructor(
    private readonly channels: Partial<Record<ChannelName, NotificationChannel>>,
    private readonly fallback: ChannelName,
    private readonly log: Logger,
  ) {}

  async notify(req: NotifyRequest, tree: OrgTree, now: () => Date = () => new Date()): Promise<DeliveryRecord[]> {
    const records: DeliveryRecord[] = [];
    for (const recipient of recipients(req, tree)) {
      records.push(await this.deliver(req, recipient, tree, now));
    }
    return records;
  }

  private async deliver(req: NotifyRequest, recipient: Recipient, tree: OrgTree, now: () => Date): Promise<DeliveryRecord> {
    const key = `${req.notificationId}#${recipient.person.id}`;
    const earlier = this.ledger.get(key);
    if (earlier) return earlier;
    const base = { notificationId: req.notificationId, kind: req.kind, level: req.level, personId: recipient.person.id, plannedAt: req.plannedAt };
    if (recipient.role === 'assignee' && foldsIntoDigest(req, recipient.person)) {
      return { ...base, channel: 'none', result: 'digest', sentAt: now().toISOString(), detail: '并入每日待办汇总' };
    }
    const unitName = tree.unit(req.task.assignee.unitId).name;
    const text = composeMessage(req, { name: recipient.person.name, role: recipient.role }, unitName);
    const outcome = await sendRouted(this.channels, this.fallback, recipient.person, {
      id: key,
      notificationId: req.notificationId,
      personId: recipient.person.id,
      to: contactOf(recipient.person, tree),
      ...text,
    });
    if (!outcome) {
      return { ...base, channel: 'none', result: 'no-contact', sentAt: now().toISOString() };
    }
    const record: DeliveryRecord = { ...base, ...outcome, sentAt: now().toISOString() };
    if (outcome.result === 'sent') this.ledger.set(key, record);
    this.log.info({ notificationId: req.notificationId, personId: recipient.person.id, channel: outcome.channel, result: outcome.result }, 'notification');
    return record;
  }
}

function recipients(req: NotifyRequest, tree: OrgTree): Recipient[] {
  const list: Recipient[] = [{ person: tree.person(req.task.assignee.personId), role: 'assignee' }];
  if (req.kind !== 'reminder' && req.level > 0) {
    for (const person of tree.supervisorsAt(req.task.assignee.unitId, req.level)) {
      if (!list.some((r) => r.person.id === person.id)) list.push({ person, role: 'supervisor' });
    }
  }
  return list;
}
