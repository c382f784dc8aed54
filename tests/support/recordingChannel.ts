import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';

/** A real channel implementation that keeps what it was given, for assertions on text and recipients. */
export class RecordingChannel implements NotificationChannel {
  readonly name = 'outbox' as const;
  readonly sent: OutgoingMessage[] = [];

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    this.sent.push(message);
    return { result: 'sent' };
  }
}
