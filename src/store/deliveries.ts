import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeliveryRecord } from '../contracts/dutyTask';
import { PRIVATE_FILE_MODE, privateDir } from './privateFiles';

/**
 * Where the herald's batched sends are written down per task, so `task show` and the task page list every notice
 * whichever way it left: files under the data directory, or a table every worker and replica shares (./records.ts
 * picks). Records hold ids and channel results, no names.
 */
export interface DeliveryLog {
  /** A herd's batch at once. A retried batch writes its notices again: the later record for a notice and person wins. */
  append(entries: { taskId: string; record: DeliveryRecord }[]): Promise<void>;
  forTask(taskId: string): Promise<DeliveryRecord[]>;
}

/**
 * One small JSON-lines file per task, in folders by hash: a herd of ten thousand touches
 * ten thousand files once, and reading one task reads one file.
 *
 * Lines reach the kernel before the send counts as done (write(2)); fsync is left to the system: a lost record
 * after a power cut costs a line on the task page, while the send ledger already keeps the message from repeating.
 */
export class FileDeliveryLog implements DeliveryLog {
  readonly dir: string;
  /** Folders made private already: a herd writes ten thousand files into 256 of them. */
  private readonly ready = new Set<string>();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'deliveries');
  }

  async append(entries: { taskId: string; record: DeliveryRecord }[]): Promise<void> {
    const byTask = new Map<string, DeliveryRecord[]>();
    for (const { taskId, record } of entries) {
      const list = byTask.get(taskId);
      if (list) list.push(record);
      else byTask.set(taskId, [record]);
    }
    for (const [taskId, list] of byTask) {
      const file = this.fileOf(taskId);
      const folder = path.dirname(file);
      if (!this.ready.has(folder)) {
        privateDir(folder);
        this.ready.add(folder);
      }
      await appendFile(file, list.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: PRIVATE_FILE_MODE });
    }
  }

  /** A retried batch appends again; the later line wins. */
  async forTask(taskId: string): Promise<DeliveryRecord[]> {
    let text: string;
    try {
      text = await readFile(this.fileOf(taskId), 'utf8');
    } catch {
      return [];
    }
    const latest = new Map<string, DeliveryRecord>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as DeliveryRecord;
        latest.set(`${r.notificationId}#${r.personId}`, r);
      } catch {
        // A torn last line: its send is recorded again by the retry.
      }
    }
    return [...latest.values()];
  }

  private fileOf(taskId: string): string {
    const hash = createHash('sha256').update(taskId).digest('hex');
    return path.join(this.dir, hash.slice(0, 2), `${hash.slice(2, 34)}.jsonl`);
  }
}

