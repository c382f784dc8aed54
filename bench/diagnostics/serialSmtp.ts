/**
 * npx tsx bench/diagnostics/serialSmtp.ts [messages]
 * How fast one channel sends when the send ledger lets one mail at a time through its in-doubt window: serial sends
 * through `EmailChannel` behind `SendLedger.guard` to an unthrottled loopback SMTP sink. This is the ceiling of the
 * SMTP herd, whatever the relay accepts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmailChannel } from '../../src/notify/email';
import { SendLedger } from '../../src/notify/sendLedger';
import { startRateLimitedSink } from '../lib/smtpSink';

async function main(): Promise<void> {
  const messages = Number(process.argv[2] ?? 2000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-serial-smtp-'));
  const sink = await startRateLimitedSink(0);
  const ledger = SendLedger.at(path.join(dir, 'send-ledger.jsonl'));
  const email = ledger.guard(new EmailChannel({ host: '127.0.0.1', port: sink.port, secure: false, from: '职责提醒 <duty@example.org>' }));
  const began = Date.now();
  for (let i = 0; i < messages; i++) {
    const id = `serial-${i}`;
    await email.send({ id, notificationId: id, personId: 'p-bench', to: { name: '村干部', email: 'cadre@example.org' }, subject: '【待办提醒】压测', text: '您好!\n'.repeat(20) });
  }
  const seconds = (Date.now() - began) / 1000;
  process.stdout.write(`${messages} serial sends in ${seconds.toFixed(1)} s: ${(messages / seconds).toFixed(0)} a second (${sink.unique().size} accepted)\n`);
  ledger.close();
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
