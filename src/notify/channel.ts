import type { ChannelName, UnitRobots } from '../shared/types';

export interface OutgoingMessage {
  /** Deterministic: task, kind and sequence number, plus the recipient. Used as the mail Message-ID. */
  id: string;
  notificationId: string;
  personId: string;
  /** `mobile` is personal data: channels use it for @-mentions and never log it. `robots` holds env var names only. */
  to: { name: string; email?: string; chatId?: string; mobile?: string; robots?: UnitRobots };
  subject: string;
  text: string;
  /** The task pages `text` links to: markdown and HTML make links of these, and of nothing else in the text. */
  links?: string[];
  /**
   * A robot group message: everyone it @-mentions (personal data, never logged). `to.robots` picks the robot and
   * `to.mobile` is then ignored. Absent: the message is for `to` alone and mentions them by `to.mobile`.
   */
  mentions?: Mention[];
  /** A batched message (the herald's): the notification id of every notice it carries, one per task and reader. */
  notices?: string[];
}

/** One person a group message calls on: by chat user id where the robot can, else by mobile. */
export interface Mention {
  name: string;
  mobile?: string;
  chatId?: string;
}

/** What one send uses of a rate-limited destination: its key (a webhook, never logged) and the requests it makes. */
export interface RateCost {
  key: string;
  requests: number;
}

export interface ChannelResult {
  result: 'sent' | 'failed';
  detail?: string;
}

export interface NotificationChannel {
  readonly name: ChannelName;
  /** Throws on a transient failure so the caller's retry policy applies. */
  send(message: OutgoingMessage): Promise<ChannelResult>;
  /** A repeated message replaces the first instead of reaching anyone twice (the outbox's file per id). */
  readonly idempotent?: boolean;
  /** False when this channel has no way to reach the recipient (no robot, secret unset); routing then falls back. */
  reaches?(to: OutgoingMessage['to']): boolean;
  /**
   * For pacing (src/notify/pacing.ts): the destination and number of requests this send would make now; undefined
   * when it makes none there (unreachable). Channels without it count one request per send under their own name.
   */
  rateCost?(message: OutgoingMessage): RateCost | undefined;
}

/** Ids hold `:` and `/`; file names and Message-IDs get a form with neither. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}
