import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config';
import { safeId, type ChannelResult, type NotificationChannel, type OutgoingMessage } from './channel';
import { toHtml } from './html';

export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly config: SmtpConfig) {
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      // One kept-open connection: the send ledger passes one message at a time, and a fresh connection per
      // message costs ~100 ms even on loopback, which would cap a channel at ten mails a second.
      pool: true,
      maxConnections: 1,
      ignoreTLS: config.ignoreTls,
      auth: config.user ? { user: config.user, pass: config.pass } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(message: OutgoingMessage): Promise<ChannelResult> {
    if (!message.to.email) return { result: 'failed', detail: 'no email address' };
    await this.transport.sendMail({
      from: this.config.from,
      to: { name: message.to.name, address: message.to.email },
      subject: message.subject,
      // multipart/alternative: clients that show HTML get the buttons, the rest the same words as plain text.
      text: message.text,
      html: toHtml(message.subject, message.text, message.links),
      messageId: `<${safeId(message.id)}@duty-engine>`,
      headers: { 'X-Duty-Notification': message.notificationId },
    });
    return { result: 'sent' };
  }

  close(): void {
    this.transport.close();
  }
}
