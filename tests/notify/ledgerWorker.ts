/**
 * A worker process for the send ledger's two-process test: sends one message through the shared ledger. Its channel
 * says `accepted` on stdout when the message is handed over, then answers (`finish`) or hangs until killed (`hang`).
 * Run as: node --import tsx tests/notify/ledgerWorker.ts <database url> <message id> finish|hang
 */
import type { ChannelResult, NotificationChannel } from '../../src/notify/channel';
import { SendLedger } from '../../src/notify/sendLedger';
import { PgDatabase } from '../../src/store/pg/database';

async function main(): Promise<void> {
  const [url, id, mode] = process.argv.slice(2) as [string, string, 'finish' | 'hang'];
  const db = await PgDatabase.open(url, { poolSize: 1 });
  const channel: NotificationChannel = {
    name: 'email',
    async send(): Promise<ChannelResult> {
      process.stdout.write('accepted\n');
      // The pool lets an idle process exit: a timer holds this one until the kill.
      if (mode === 'hang') await new Promise(() => setInterval(() => undefined, 1_000));
      return { result: 'sent', detail: `pid ${process.pid}` };
    },
  };
  await SendLedger.of({ kind: 'postgres', db, dataDir: '' }).guard(channel).send({ id, notificationId: id, personId: 'p-1', to: { name: 'x' }, subject: 's', text: 't' });
  await db.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
