import type { Logger } from 'pino';
import type { OrgTree } from '../roster/orgTree';
import type { DigestDelivery, DigestRequest } from '../contracts/digest';
import type { ChannelName } from '../shared/types';
import { composeDigest } from './digest';
import { configuredTaskLink, type TaskLink } from './links';
import { contactOf, sendRouted, type Channels } from './routing';

/** Sends one person's daily digest on their channel, with the same routing and fallback as single notices. */
export class DigestSender {
  constructor(
    private readonly channels: Channels,
    private readonly fallback: ChannelName,
    private readonly log: Logger,
    private readonly taskLink: TaskLink = configuredTaskLink(),
  ) {}

  async send(req: DigestRequest, tree: OrgTree): Promise<DigestDelivery> {
    const base = { digestId: req.digestId, personId: req.personId, items: req.items.length };
    // The roster may have changed between planning and sending.
    if (!tree.hasPerson(req.personId)) return { ...base, channel: 'none', result: 'no-contact', detail: '名册中已无此人' };
    const person = tree.person(req.personId);
    const outcome = await sendRouted(this.channels, this.fallback, person, {
      id: req.digestId,
      notificationId: req.digestId,
      personId: person.id,
      to: contactOf(person, tree),
      ...composeDigest(req, person, { taskLink: this.taskLink, adminNames: tree.admins().map((p) => p.name) }),
    });
    const delivery: DigestDelivery = outcome ? { ...base, ...outcome } : { ...base, channel: 'none', result: 'no-contact' };
    this.log.info({ digestId: req.digestId, personId: person.id, channel: delivery.channel, result: delivery.result, items: base.items }, 'digest');
    return delivery;
  }
}
