import type { OrgTree } from '../roster/orgTree';
import type { ChannelName, Person } from '../shared/types';
import type { NotificationChannel, OutgoingMessage } from './channel';
import { robotsFor } from './robots';

export type Channels = Partial<Record<ChannelName, NotificationChannel>>;

export interface RoutedOutcome {
  channel: ChannelName;
  result: 'sent' | 'failed';
  detail?: string;
}

/** Everything a channel may need to reach a person; the mobile number stays in memory and is never logged. */
export function contactOf(person: Person, tree: OrgTree): OutgoingMessage['to'] {
  return { name: person.name, email: person.email, chatId: person.chatId, mobile: person.mobile, robots: robotsFor(tree, person.unit) };
}

/** The person's preferred channel when it is configured and can reach them, otherwise the fallback. */
export function routeFor(channels: Channels, fallback: ChannelName, person: Person, to: OutgoingMessage['to']): NotificationChannel | undefined {
  const preferred = channels[person.channel ?? (person.email ? 'email' : fallback)];
  if (preferred && (preferred.reaches?.(to) ?? true)) return preferred;
  return channels[fallback];
}

/**
 * Sends on the routed channel. A permanent refusal (a revoked robot key, a wrong signature) is repeated on the
 * fallback so the notice is not lost; a transient failure throws instead, so the activity's retry applies.
 */
export async function sendRouted(channels: Channels, fallback: ChannelName, person: Person, message: OutgoingMessage): Promise<RoutedOutcome | undefined> {
  const channel = routeFor(channels, fallback, person, message.to);
  if (!channel) return undefined;
  const outcome = await channel.send(message);
  const spare = channels[fallback];
  if (outcome.result === 'failed' && spare && spare !== channel) {
    const second = await spare.send(message);
    return { channel: spare.name, result: second.result, detail: `${channel.name} 发送失败 (${outcome.detail ?? '原因不明'}),已改发 ${spare.name}` };
  }
  return { channel: channel.name, ...outcome };
}
