/**
 * npx tsx bench/diagnostics/sendLedger.ts [sends]
 * What the send ledger costs per send: an outbox-like channel that does nothing, behind `SendLedger.guard`, with the
 * ledger in a file and, when DUTY_DATABASE_URL is set, in PostgreSQL. Each store is timed with one send in doubt at a
 * time (a channel's default) and with eight (an idempotent channel's, as the worker sets the outbox), from one process.
 * The PostgreSQL rows carry a key prefix of this run and are deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings } from '../../src/config';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';
import { SendLedger } from '../../src/notify/sendLedger';
import { closeStoreBackends, storeBackend } from '../../src/store/backend';

const IN_DOUBT = [1, 8];

const noop: NotificationChannel = {
  name: 'outbox',
  idempotent: true,
  send: (m: OutgoingMessage): Promise<ChannelResult> => Promise.resolve({ result: 'sent', detail: m.id }),
};

/** Sends per second through `ledger` with `inDoubt` sends let through at once; each message is new to the ledger. */
async function measure(ledger: SendLedger, sends: number, inDoubt: number, prefix: string): Promise<number> {
  const channel = ledger.guard(noop, inDoubt);
  const began = performance.now();
  await Promise.all(
    Array.from({ length: sends }, (_, i) => {
      const id = `${prefix}-${inDoubt}-${i}`;
      return channel.send({ id, notificationId: id, personId: 'p-bench', to: { name: '村干部' }, subject: '【待办提醒】压测', text: '您好!' });
    }),
  );
  return sends / ((performance.now() - began) / 1000);
}

async function report(label: string, ledger: SendLedger, sends: number, prefix: string): Promise<void> {
  for (const inDoubt of IN_DOUBT) {
    const rate = await measure(ledger, sends, inDoubt, prefix);
    process.stdout.write(`${label.padEnd(10)} in doubt ≤ ${inDoubt}: ${sends} sends, ${rate.toFixed(0)} a second (${(1000 / rate).toFixed(3)} ms each)\n`);
  }
}

async function main(): Promise<void> {
  const sends = Number(process.argv[2] ?? 3000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-send-ledger-'));
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  try {
    const file = SendLedger.of({ kind: 'files', dataDir: dir });
    await report('file', file, sends, prefix);
    file.close();
    const backend = await storeBackend({ dataDir: dir, databaseUrl: settings().databaseUrl });
    if (backend.kind !== 'postgres') {
      process.stdout.write('PostgreSQL: skipped (DUTY_DATABASE_URL is not set)\n');
      return;
    }
    try {
      await report('PostgreSQL', SendLedger.of(backend), sends, prefix);
    } finally {
      await backend.db.query('DELETE FROM send_ledger WHERE key LIKE $1', [`${noop.name}||${prefix}-%`]);
    }
  } finally {
    await closeStoreBackends();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
