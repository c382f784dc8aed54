import nodemailer, { type Transporter } from 'nodemailer';
import { safeId, type ChannelResult, type NotificationChannel, type OutgoingMessage } from './channel';

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

/** SMTP settings from the environment; undefined when no SMTP host is configured. */
export function smtpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpConfig | undefined {
  if (!env.SMTP_HOST) return undefined;
  return {
    host: env.SMTP_HOST,
    port: Number(env.SMTP_PORT ?? 587),
    secure: env.SMTP_SECURE === 'true',
    user: env.SMTP_USER,
    pass: env.SMTP_PASS,
    from: env.SMTP_FROM ?? '沅江市乡村振兴局职责提醒 <duty@example.org>',
  };
}

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
      ignoreTLS: !config.secure && process.env.SMTP_IGNORE_TLS === 'true',
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
      text: message.text,
      messageId: `<${safeId(message.id)}@duty-engine>`,
      headers: { 'X-Duty-Notification': message.notificationId },
    });
    return { result: 'sent' };
  }

  close(): void {
    this.transport.close();
  }
}
