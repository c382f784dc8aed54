import type { Logger } from 'pino';
import type { OrgTree } from '../roster/orgTree';
import type { DeliveryRecord, NotifyRequest, StepNoticeKind } from '../contracts/dutyTask';
import type { ChannelName, Person } from '../shared/types';
import type { NotificationChannel } from './channel';
import { foldsIntoDigest } from './digest';
import { configuredTaskLink, type TaskLink } from './links';
import { composeMessage, isStepNotice, type MessageContext } from './messages';
import { contactOf, sendRouted } from './routing';

export interface Recipient {
  person: Person;
  role: 'assignee' | 'supervisor';
}

/**
 * Whom each step notice concerns: the assignee (the new one after a 转办), the one who held the task before, or the
 * supervisors who must act on it (督促签收, 审批, 审核).
 */
const STEP_AUDIENCE: Record<StepNoticeKind, 'assignee' | 'previousAssignee' | 'supervisors'> = {
  unacknowledged: 'supervisors',
  extensionRequested: 'supervisors',
  extensionApproved: 'assignee',
  extensionRejected: 'assignee',
  reviewRequested: 'supervisors',
  returned: 'assignee',
  reassigned: 'assignee',
  handedOver: 'previousAssignee',
  deadlineChanged: 'assignee',
};

/**
 * Sends one notification to everyone it concerns, each on their preferred channel, with a link to the task's page
 * (`taskLink`, by default on `DUTY_PUBLIC_URL`); an assignee who takes the daily digest gets reminders and follow-ups
 * there instead.
 * A ledger keyed by notification and recipient makes a retried or replayed send a no-op while the worker runs.
 */
export class Notifier {
  private readonly ledger = new Map<string, DeliveryRecord>();

  constructor(
    private readonly channels: Partial<Record<ChannelName, NotificationChannel>>,
    private readonly fallback: ChannelName,
    private readonly log: Logger,
    private readonly taskLink: TaskLink = configuredTaskLink(),
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
    const text = composeMessage(req, { name: recipient.person.name, role: recipient.role }, this.context(req, tree));
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

  private context(req: NotifyRequest, tree: OrgTree): MessageContext {
    return {
      unitName: tree.unit(req.task.assignee.unitId).name,
      link: this.taskLink(req.task.taskId),
      adminNames: tree.admins().map((p) => p.name),
      nameOf: (id) => (tree.hasPerson(id) ? tree.person(id).name : id === 'system' ? '系统' : id),
    };
  }
}

export function recipients(req: NotifyRequest, tree: OrgTree): Recipient[] {
  if (isStepNotice(req.kind)) return stepRecipients(STEP_AUDIENCE[req.kind], req, tree);
  const list: Recipient[] = [{ person: tree.person(req.task.assignee.personId), role: 'assignee' }];
  if (req.kind !== 'reminder' && req.level > 0) {
    for (const person of tree.supervisorsAt(req.task.assignee.unitId, req.level)) {
      if (!list.some((r) => r.person.id === person.id)) list.push({ person, role: 'supervisor' });
    }
  }
  return list;
}

function stepRecipients(audience: (typeof STEP_AUDIENCE)[StepNoticeKind], req: NotifyRequest, tree: OrgTree): Recipient[] {
  if (audience === 'assignee') return [{ person: tree.person(req.task.assignee.personId), role: 'assignee' }];
  if (audience === 'previousAssignee') {
    const id = req.step?.previousAssignee;
    // Someone who has left the roster since is not told.
    return id && tree.hasPerson(id) ? [{ person: tree.person(id), role: 'assignee' }] : [];
  }
  const others = (p: Person) => p.id !== req.task.assignee.personId && p.id !== req.step?.by;
  return nearestSupervisors(tree, req.task.assignee.unitId, others).map((person) => ({ person, role: 'supervisor' }));
}

/**
 * The unit's own supervisors, else its parent's: a step waits on a supervisor, so its notice must reach one. Nobody
 * is asked to review or approve their own request.
 */
function nearestSupervisors(tree: OrgTree, unitId: string, eligible: (p: Person) => boolean): Person[] {
  for (const level of [1, 2]) {
    const found = tree.supervisorsAt(unitId, level).filter(eligible);
    if (found.length > 0) return found;
  }
  return [];
}
