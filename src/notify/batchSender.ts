import type { Logger } from 'pino';
import { memberRequest, type BatchOutcome, type NoticeBatch } from '../contracts/dutyNotices';
import { type DeliveryRecord, notificationId } from '../contracts/dutyTask';
import type { OrgTree } from '../roster/orgTree';
import type { ChannelName, Person } from '../shared/types';
import { composeBatch, composeGroup, type BatchItem } from './batchMessages';
import type { NotificationChannel, OutgoingMessage } from './channel';
import { foldsIntoDigest } from './digest';
import { configuredTaskLink, type TaskLink } from './links';
import { composeMessage } from './messages';
import { recipients } from './notifier';
import { type Channels, contactOf, routeFor, sendRouted } from './routing';

export interface BatchDelivery {
  taskId: string;
  record: DeliveryRecord;
}

interface Addressed extends BatchItem {
  person: Person;
}

type Recorder = (item: Addressed, fields: Pick<DeliveryRecord, 'channel' | 'result'> & { detail?: string; messageId?: string }) => void;

/** Messages in flight at once: the channels pace and serialise themselves; this only keeps a slow robot from holding up mail. */
const PARALLEL_MESSAGES = 8;

/**
 * Sends one instant's notices for many tasks as few messages as the people allow: one per person, listing all of
 * theirs, and one per chat robot group with every @mention. Each message's id is the batch's id and its recipient,
 * so a retried batch goes through the send ledger and repeats nothing already accepted.
 */
export class BatchSender {
  constructor(
    private readonly channels: Channels,
    private readonly fallback: ChannelName,
    private readonly log: Logger,
    private readonly taskLink: TaskLink = configuredTaskLink(),
  ) {}

  async send(batch: NoticeBatch, tree: OrgTree, progress: () => void = () => undefined, now: () => Date = () => new Date()): Promise<{ deliveries: BatchDelivery[]; outcome: BatchOutcome }> {
    const deliveries: BatchDelivery[] = [];
    const record: Recorder = (item, fields) =>
      deliveries.push({
        taskId: item.req.task.taskId,
        record: { notificationId: item.req.notificationId, kind: item.req.kind, level: item.req.level, personId: item.person.id, plannedAt: item.req.plannedAt, sentAt: now().toISOString(), ...fields },
      });
    const { direct, groups } = this.route(this.items(batch, tree), tree, record);
    let messages = 0;
    const jobs = [
      ...[...direct.values()].map((items) => async () => {
        messages += 1;
        await this.sendDirect(batch, items, tree, record);
        progress();
      }),
      ...[...groups.entries()].map(([key, g]) => async () => {
        messages += 1;
        await this.sendGroup(batch, key, g.channel, g.items, tree, record);
        progress();
      }),
    ];
    await inParallel(jobs, PARALLEL_MESSAGES);
    const count = (result: DeliveryRecord['result']) => deliveries.filter((d) => d.record.result === result).length;
    this.log.info({ batchId: batch.batchId, notices: deliveries.length, messages }, 'batched notices');
    return { deliveries, outcome: { notices: deliveries.length, messages, sent: count('sent'), failed: count('failed'), digest: count('digest') } };
  }

  /** Every notice of the batch with its reader: the assignee, and for follow-ups the supervisors of the level. */
  private items(batch: NoticeBatch, tree: OrgTree): Addressed[] {
    const out: Addressed[] = [];
    for (const member of batch.members) {
      if (!tree.hasPerson(member.personId)) continue;
      const req = memberRequest(batch, member, notificationId(member.taskId, batch.notice.kind, batch.notice.seq));
      const unitName = tree.unit(member.unitId).name;
      const link = this.taskLink(member.taskId);
      for (const r of recipients(req, tree)) out.push({ req, role: r.role, person: r.person, personName: r.person.name, unitName, link });
    }
    return out;
  }

  /** Digest readers wait for their digest; robot readers join their group's message; the rest get their own. */
  private route(items: Addressed[], tree: OrgTree, record: Recorder) {
    const direct = new Map<string, Addressed[]>();
    const groups = new Map<string, { channel: NotificationChannel; items: Addressed[] }>();
    for (const item of items) {
      if (item.role === 'assignee' && foldsIntoDigest(item.req, item.person)) {
        record(item, { channel: 'none', result: 'digest', detail: '并入每日待办汇总' });
        continue;
      }
      const to = contactOf(item.person, tree);
      const channel = routeFor(this.channels, this.fallback, item.person, to);
      const robot = channel && robotKey(channel, to);
      if (!channel) record(item, { channel: 'none', result: 'no-contact' });
      else if (robot) {
        const group = groups.get(robot) ?? { channel, items: [] };
        group.items.push(item);
        groups.set(robot, group);
      } else {
        const own = direct.get(item.person.id);
        if (own) own.push(item);
        else direct.set(item.person.id, [item]);
      }
    }
    return { direct, groups };
  }

  private async sendDirect(batch: NoticeBatch, items: Addressed[], tree: OrgTree, record: Recorder): Promise<void> {
    const person = (items[0] as Addressed).person;
    const messageId = `${batch.batchId}#${person.id}`;
    const admins = tree.admins().map((p) => p.name);
    const text = items.length === 1 ? this.single(items[0] as Addressed, tree) : composeBatch(items, person.name, admins);
    const message: OutgoingMessage = { id: messageId, notificationId: messageId, personId: person.id, to: contactOf(person, tree), notices: items.map((i) => i.req.notificationId), ...text };
    const outcome = await sendRouted(this.channels, this.fallback, person, message);
    for (const item of items) record(item, outcome ? { ...outcome, messageId } : { channel: 'none', result: 'no-contact' });
  }

  /** A group the robot refuses for good falls back to each person's own message on the fallback channel. */
  private async sendGroup(batch: NoticeBatch, key: string, channel: NotificationChannel, items: Addressed[], tree: OrgTree, record: Recorder): Promise<void> {
    const messageId = `${batch.batchId}#${key}`;
    const first = (items[0] as Addressed).person;
    const people = unique(items.map((i) => i.person));
    const message: OutgoingMessage = {
      id: messageId,
      notificationId: messageId,
      personId: first.id,
      to: contactOf(first, tree),
      mentions: people.map((p) => ({ name: p.name, ...(p.mobile ? { mobile: p.mobile } : {}), ...(p.chatId ? { chatId: p.chatId } : {}) })),
      notices: items.map((i) => i.req.notificationId),
      ...composeGroup(items, tree.admins().map((p) => p.name)),
    };
    const outcome = await channel.send(message);
    if (outcome.result === 'sent' || !this.channels[this.fallback] || this.channels[this.fallback] === channel) {
      for (const item of items) record(item, { channel: channel.name, ...outcome, messageId });
      return;
    }
    const detail = `${channel.name} 发送失败 (${outcome.detail ?? '原因不明'}),已改发 ${this.fallback}`;
    for (const person of people) {
      const own = items.filter((i) => i.person.id === person.id);
      await this.sendDirect({ ...batch, batchId: `${batch.batchId}/fallback` }, own, tree, (i, f) => record(i, { ...f, detail }));
    }
  }

  private single(item: Addressed, tree: OrgTree) {
    return composeMessage(item.req, { name: item.person.name, role: item.role }, {
      unitName: item.unitName,
      link: item.link,
      adminNames: tree.admins().map((p) => p.name),
      nameOf: (id) => (tree.hasPerson(id) ? tree.person(id).name : id),
    });
  }
}

/** Chat robots post to a group: everyone routed to the same robot shares one message. */
function robotKey(channel: NotificationChannel, to: OutgoingMessage['to']): string | undefined {
  if (channel.name === 'wecom') return to.robots?.wecom ? `wecom:${to.robots.wecom.webhookEnv}` : undefined;
  if (channel.name === 'dingtalk') return to.robots?.dingtalk ? `dingtalk:${to.robots.dingtalk.webhookEnv}` : undefined;
  return undefined;
}

function unique(people: Person[]): Person[] {
  return [...new Map(people.map((p) => [p.id, p])).values()];
}

/**
 * Lanes stop taking work at the first failure and the failure is thrown only once every lane has stopped: a retried
 * attempt must never race a send of this one still in flight, or the ledger would see it as in doubt and repeat it.
 */
async function inParallel(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < jobs.length) {
      try {
        await (jobs[next++] as () => Promise<void>)();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(width, jobs.length) }, lane));
  const first = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (first) throw first.reason;
}
