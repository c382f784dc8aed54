import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { StoreBackend } from '../store/backend';
import type { ChannelResult, NotificationChannel, OutgoingMessage } from './channel';
import { FileLedgerStore } from './sendLedgerFile';
import { PgLedgerStore } from './sendLedgerPg';

/**
 * A durable record of what each channel has accepted, so a send retried after the worker died (kill -9, OOM,
 * power cut) is not delivered a second time.
 *
 * Per message: `pending` is recorded before the channel is called, `sent` (or `aborted`) after it answers, each
 * durable before the next step: in the file (./sendLedgerFile.ts) a line handed to the kernel with write(2), in
 * PostgreSQL (./sendLedgerPg.ts, with `DUTY_DATABASE_URL`) a committed row. The file serves one machine; the table is
 * shared by every worker, so a retry on another worker sees what this one began or finished.
 *
 * The one unavoidable window: the channel has accepted the message (the SMTP server said 250) but our `sent` record
 * is not yet written. A death there leaves the key `pending`, the retry cannot tell and sends again. Each channel
 * lets only `inDoubtLimit` (default 1) messages per process through that window at a time, so one death costs at most
 * one duplicate per channel. Serialising a channel is cheap next to what it guards: a loopback SMTP exchange is a
 * few milliseconds, an outbox file a fraction of one, a ledger row about the same.
 *
 * Keys are scoped by the workflow run: a new run under the same business id (a fresh database, a reset) is a
 * new task and must notify again. Records hold ids and channel results only, never names or contacts.
 */

/** What the ledger held for a key when a send under it began: nothing (or an abort) means a plain first try. */
export type Prior = { state: 'sent'; result: ChannelResult } | { state: 'pending' } | undefined;

export interface LedgerStats {
  sent: number;
  /** Sends begun and not finished: under way now, or in doubt after a death (each is re-sent once). */
  pending: number;
}

/** Where the records live. Every write is durable when its promise resolves. */
export interface LedgerStore {
  /** Records the key `pending`, unless it is already `sent`; answers what it held before. */
  claim(key: string): Promise<Prior>;
  markSent(key: string, result: ChannelResult): Promise<void>;
  /** Not delivered (the channel threw, or refused for good); never undoes a `sent`. */
  markAborted(key: string): Promise<void>;
  stats(): Promise<LedgerStats>;
  close(): void;
}

const LEDGER_FILE = 'send-ledger.jsonl';

export class SendLedger {
  private static readonly files = new Map<string, SendLedger>();

  /** The deployment's ledger: the shared table when the store is PostgreSQL, else the file in the data folder. */
  static of(backend: StoreBackend, log?: Logger): SendLedger {
    if (backend.kind === 'postgres') return new SendLedger(new PgLedgerStore(backend.db, log), log);
    return SendLedger.at(path.join(backend.dataDir, LEDGER_FILE), log);
  }

  /** One instance per file and process, so every worker in a process shares what it knows. */
  static at(file: string, log?: Logger): SendLedger {
    const resolved = path.resolve(file);
    let ledger = SendLedger.files.get(resolved);
    if (!ledger) {
      ledger = new SendLedger(new FileLedgerStore(resolved, log), log, () => SendLedger.files.delete(resolved));
      SendLedger.files.set(resolved, ledger);
    }
    return ledger;
  }

  private constructor(
    private readonly store: LedgerStore,
    private readonly log?: Logger,
    private readonly onClose?: () => void,
  ) {}

  /** Wraps a channel so every send goes through this ledger; everything else about the channel is untouched. */
  guard<C extends NotificationChannel>(channel: C, inDoubtLimit = 1): C {
    const gate = new Gate(inDoubtLimit);
    const send = (message: OutgoingMessage): Promise<ChannelResult> => {
      const key = `${channel.name}|${runScope()}|${message.id}`;
      return gate.run(async () => {
        const prior = await this.store.claim(key);
        if (prior?.state === 'sent') return prior.result;
        if (prior?.state === 'pending') this.log?.warn({ notificationId: message.notificationId, personId: message.personId, channel: channel.name }, 'repeating a send that was in doubt');
        let result: ChannelResult;
        try {
          result = await channel.send(message);
        } catch (err) {
          await this.store.markAborted(key);
          throw err;
        }
        // A permanent refusal is not recorded as sent, so the routing's fallback (and a later retry) may still deliver.
        if (result.result === 'sent') await this.store.markSent(key, result);
        else await this.store.markAborted(key);
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

  stats(): Promise<LedgerStats> {
    return this.store.stats();
  }

  close(): void {
    this.onClose?.();
    this.store.close();
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
