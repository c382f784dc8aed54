import { closeSync, fsync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { AppendLog } from '../store/appendLog';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from './channel';

/**
 * A durable record of what each channel has accepted, so a send retried after the worker died (kill -9, OOM,
 * power cut) is not delivered a second time.
 *
 * Per message: `pending` is appended before the channel is called, `sent` (or `aborted`) after it answers.
 * Each line is handed to the kernel with write(2) before the next step, so it survives the death of this process
 * at once; fsync follows in the background, batched, and only matters for a crash of the whole machine.
 *
 * The one unavoidable window: the channel has accepted the message (the SMTP server said 250) but our `sent` line
 * is not yet written. A death there leaves the key `pending`, the retry cannot tell and sends again. Each channel
 * lets only `inDoubtLimit` (default 1) messages through that window at a time, so one death costs at most one
 * duplicate per channel. Serialising a channel is cheap next to what it guards: a loopback SMTP exchange is a
 * few milliseconds, an outbox file a fraction of one.
 *
 * Keys are scoped by the workflow run: a new run under the same business id (a fresh database, a reset) is a
 * new task and must notify again. Records hold ids and channel results only, never names or contacts.
 */

type Entry = { k: string; s: 'pending' } | { k: string; s: 'sent'; r: ChannelResult } | { k: string; s: 'aborted' };

export interface LedgerStats {
  sent: number;
  /** Pending at open: sends a previous process started and never finished; each is re-sent once. */
  inDoubt: number;
}

export class SendLedger {
  private static readonly open = new Map<string, SendLedger>();
  private readonly sent = new Map<string, ChannelResult>();
  private readonly pending = new Set<string>();
  private readonly fd: number;
  private syncing = false;
  private dirty = false;
  readonly stats: LedgerStats;

  /** One instance per file and process, so every worker in a process shares what it knows. */
  static at(file: string, log?: Logger): SendLedger {
    const resolved = path.resolve(file);
    let ledger = SendLedger.open.get(resolved);
    if (!ledger) SendLedger.open.set(resolved, (ledger = new SendLedger(resolved, log)));
    return ledger;
  }

  private constructor(
    readonly file: string,
    private readonly log?: Logger,
  ) {
    for (const e of new AppendLog<Entry>(file).readAll()) {
      if (e.s === 'sent') {
        this.sent.set(e.k, e.r);
        this.pending.delete(e.k);
      } else if (e.s === 'pending') this.pending.add(e.k);
      else this.pending.delete(e.k);
    }
    this.stats = { sent: this.sent.size, inDoubt: this.pending.size };
    if (this.pending.size > 0) log?.warn({ inDoubt: this.pending.size, file }, 'send ledger: sends in doubt after a restart will be repeated once');
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
  }

  /** Wraps a channel so every send goes through this ledger; everything else about the channel is untouched. */
  guard<C extends NotificationChannel>(channel: C, inDoubtLimit = 1): C {
    const gate = new Gate(inDoubtLimit);
    const send = (message: OutgoingMessage): Promise<ChannelResult> => {
      const key = `${channel.name}|${runScope()}|${message.id}`;
      return gate.run(async () => {
        const earlier = this.sent.get(key);
        if (earlier) return earlier;
        if (this.pending.has(key)) this.log?.warn({ notificationId: message.notificationId, personId: message.personId, channel: channel.name }, 'repeating a send that was in doubt');
        this.append({ k: key, s: 'pending' });
        let result: ChannelResult;
        try {
          result = await channel.send(message);
        } catch (err) {
          this.append({ k: key, s: 'aborted' });
          throw err;
        }
        // A permanent refusal is not recorded as sent, so the routing's fallback (and a later retry) may still deliver.
        this.append(result.result === 'sent' ? { k: key, s: 'sent', r: result } : { k: key, s: 'aborted' });
        return result;
      });
    };
    // A proxy rather than a wrapper class: channels grow optional methods, and a wrapper would silently drop them.
    return new Proxy(channel, {
      get(target, prop) {
        if (prop === 'send') return send;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  close(): void {
    SendLedger.open.delete(this.file);
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  private append(entry: Entry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (entry.s === 'sent') this.sent.set(entry.k, entry.r);
    if (entry.s === 'pending') this.pending.add(entry.k);
    else this.pending.delete(entry.k);
    this.flushSoon();
  }

  /** Group commit: one fsync covers every line written while the previous one ran. */
  private flushSoon(): void {
    this.dirty = true;
    if (this.syncing) return;
    this.syncing = true;
    this.dirty = false;
    fsync(this.fd, () => {
      this.syncing = false;
      if (this.dirty) this.flushSoon();
    });
  }
}

/** The run id of the workflow whose activity is sending; empty outside an activity (unit tests call channels directly). */
function runScope(): string {
  try {
    return Context.current().info.workflowExecution?.runId ?? '';
  } catch {
    return '';
  }
}

/** A counting semaphore: at most `limit` callers inside at once, the rest wait in arrival order. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
