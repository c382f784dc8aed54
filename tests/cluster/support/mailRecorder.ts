import { appendFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One accepted message as the cluster tests read it back. */
export interface RecordedMail {
  messageId: string;
  /** The envelope's recipients (RCPT TO), which the herd's accounting goes by. */
  to: string[];
  subject: string;
  text: string;
  at: number;
}

export interface MailRecorder {
  port: number;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback for the workers of the test cluster, which are processes of their own: every message
 * it accepts becomes a JSON line in `file`, which the test files (other processes) read. It accepts at most `perSecond`
 * messages a second, the way a relay's limit does, so a herd takes long enough for a fault to land in the middle.
 */
export async function startMailRecorder(file: string, perSecond: number): Promise<MailRecorder> {
  const gapMs = 1000 / perSecond;
  let nextSlot = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onMailFrom(_address, _session, callback) {
      const now = Date.now();
      nextSlot = Math.max(now, nextSlot + gapMs);
      setTimeout(() => callback(), nextSlot - now);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const record: RecordedMail = { messageId: mail.messageId ?? '', to: session.envelope.rcptTo.map((r) => r.address), subject: mail.subject ?? '', text: mail.text ?? '', at: Date.now() };
          appendFileSync(file, `${JSON.stringify(record)}\n`);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  // A worker killed mid-message resets its connection: that is the fault under test, not a sink failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
