import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from '../../src/notify/channel';
import { SendLedger } from '../../src/notify/sendLedger';

const dir = mkdtempSync(path.join(os.tmpdir(), 'send-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileSeq = 0;
const freshFile = () => path.join(dir, `ledger-${++fileSeq}.jsonl`);

function message(n: number): OutgoingMessage {
  return { id: `task:d:2026-03:v-1/reminder-${n}#p-1`, notificationId: `task:d:2026-03:v-1/reminder-${n}`, personId: 'p-1', to: { name: 'x' }, subject: 's', text: 't' };
}

/** Counts sends and how many overlapped, and can fail on demand. */
class CountingChannel implements NotificationChannel {
  readonly name = 'email' as const;
  sends = 0;
  active = 0;
  maxActive = 0;
  failNext = false;
  async send(_m: OutgoingMessage): Promise<ChannelResult> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, 2));
    this.active -= 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('421 try later');
    }
    this.sends += 1;
    return { result: 'sent', detail: `#${this.sends}` };
  }
}

test('a message accepted once is not sent again, in this process or the next', async () => {
  const file = freshFile();
  const channel = new CountingChannel();
  const guarded = SendLedger.at(file).guard(channel);
  expect(guarded.name).toBe('email');
  await guarded.send(message(1));
  expect(await guarded.send(message(1))).toEqual({ result: 'sent', detail: '#1' });
  SendLedger.at(file).close();

  const restarted = SendLedger.at(file);
  expect(restarted.stats).toEqual({ sent: 1, inDoubt: 0 });
  await restarted.guard(channel).send(message(1));
  expect(channel.sends).toBe(1);
  restarted.close();
});

test('a send that was in doubt when the process died is repeated exactly once', async () => {
  const file = freshFile();
  // What a kill -9 between the channel's acceptance and the `sent` line leaves behind.
  appendFileSync(file, `${JSON.stringify({ k: `email||${message(2).id}`, s: 'pending' })}\n{"k":"torn`);
  const ledger = SendLedger.at(file);
  expect(ledger.stats).toEqual({ sent: 0, inDoubt: 1 });
  const channel = new CountingChannel();
  const guarded = ledger.guard(channel);
  await guarded.send(message(2));
  await guarded.send(message(2));
  expect(channel.sends).toBe(1);
  ledger.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines.at(-1)).toContain('"s":"sent"');
});

test('a failed send is not recorded, so the retry delivers', async () => {
  const file = freshFile();
  const channel = new CountingChannel();
  const guarded = SendLedger.at(file).guard(channel);
  channel.failNext = true;
  await expect(guarded.send(message(3))).rejects.toThrow('421');
  await guarded.send(message(3));
  expect(channel.sends).toBe(1);
  SendLedger.at(file).close();
  expect(SendLedger.at(file).stats).toEqual({ sent: 1, inDoubt: 0 });
  SendLedger.at(file).close();
});

test('one channel has at most one message in doubt at a time', async () => {
  const file = freshFile();
  const channel = new CountingChannel();
  const guarded = SendLedger.at(file).guard(channel);
  await Promise.all(Array.from({ length: 20 }, (_, i) => guarded.send(message(100 + i))));
  expect(channel.sends).toBe(20);
  expect(channel.maxActive).toBe(1);
  SendLedger.at(file).close();
});
