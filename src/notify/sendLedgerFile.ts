import { closeSync, fsync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppendLog } from '../store/appendLog';
import type { ChannelResult } from './channel';
import type { LedgerStats, LedgerStore, Prior } from './sendLedger';

type Entry = { k: string; s: 'pending' } | { k: string; s: 'sent'; r: ChannelResult } | { k: string; s: 'aborted' };

/**
 * The send ledger of one machine: an append-only JSON-lines file, read whole at open and then answered from memory.
 * Each line is handed to the kernel with write(2) before the next step, so it survives the death of this process at
 * once; fsync follows in the background, batched, and only matters for a crash of the whole machine.
 */
export class FileLedgerStore implements LedgerStore {
  private readonly sent = new Map<string, ChannelResult>();
  private readonly pending = new Set<string>();
  private readonly fd: number;
  private syncing = false;
  private dirty = false;

  constructor(
    readonly file: string,
    log?: Logger,
  ) {
    for (const e of new AppendLog<Entry>(file).readAll()) {
      if (e.s === 'sent') {
        this.sent.set(e.k, e.r);
        this.pending.delete(e.k);
      } else if (e.s === 'pending') this.pending.add(e.k);
      else this.pending.delete(e.k);
    }
    if (this.pending.size > 0) log?.warn({ inDoubt: this.pending.size, file }, 'send ledger: sends in doubt after a restart will be repeated once');
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
  }

  claim(key: string): Promise<Prior> {
    const earlier = this.sent.get(key);
    if (earlier) return Promise.resolve({ state: 'sent', result: earlier });
    const prior: Prior = this.pending.has(key) ? { state: 'pending' } : undefined;
    this.append({ k: key, s: 'pending' });
    return Promise.resolve(prior);
  }

  markSent(key: string, result: ChannelResult): Promise<void> {
    this.append({ k: key, s: 'sent', r: result });
    return Promise.resolve();
  }

  markAborted(key: string): Promise<void> {
    this.append({ k: key, s: 'aborted' });
    return Promise.resolve();
  }

  stats(): Promise<LedgerStats> {
    return Promise.resolve({ sent: this.sent.size, pending: this.pending.size });
  }

  close(): void {
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
