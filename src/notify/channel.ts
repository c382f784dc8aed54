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
}

export interface ChannelResult {
  result: 'sent' | 'failed';
  detail?: string;
}

export interface NotificationChannel {
  readonly name: ChannelName;
  /** Throws on a transient failure so the caller's retry policy applies. */
  send(message: OutgoingMessage): Promise<ChannelResult>;
  /** False when this channel has no way to reach the recipient (no robot, secret unset); routing then falls back. */
  reaches?(to: OutgoingMessage['to']): boolean;
}

/** Ids hold `:` and `/`; file names and Message-IDs get a form with neither. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}
