import { statSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { AppendLog } from '../store/appendLog';
import { ZONE } from '../shared/zone';
import type { AuditCursor, AuditEntry, AuditFilter, AuditLog } from './log';

/** The audit trail of one data directory: one fsync'd JSON line per change; the cursor is a byte offset. */
export class FileAuditLog implements AuditLog {
  private readonly log: AppendLog<AuditEntry>;

  constructor(readonly file: string) {
    this.log = new AppendLog<AuditEntry>(file);
  }

  static inDataDir(dataDir: string): FileAuditLog {
    return new FileAuditLog(path.join(dataDir, 'audit.jsonl'));
  }

  get where(): string {
    return this.file;
  }

  async record(entry: Omit<AuditEntry, 'at'>, at = new Date()): Promise<AuditEntry> {
    const full: AuditEntry = { at: at.toISOString(), ...entry };
    this.log.append(full);
    return full;
  }

  async since(cursor: AuditCursor): Promise<{ entries: AuditEntry[]; next: AuditCursor }> {
    const { records, next } = this.log.readFrom(cursor);
    return { entries: records, next };
  }

  async end(): Promise<{ cursor: AuditCursor; at?: number }> {
    const info = statSync(this.file, { throwIfNoEntry: false });
    return info ? { cursor: info.size, at: info.mtimeMs } : { cursor: 0 };
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const from = filter.from ? DateTime.fromISO(filter.from, { zone: ZONE }).startOf('day').toMillis() : -Infinity;
    const to = filter.to ? DateTime.fromISO(filter.to, { zone: ZONE }).endOf('day').toMillis() : Infinity;
    return this.log
      .readAll()
      .filter((e) => {
        const t = Date.parse(e.at);
        if (t < from || t > to) return false;
        if (filter.action && e.action !== filter.action) return false;
        if (filter.actor && e.actor !== filter.actor) return false;
        if (filter.target && e.target !== filter.target) return false;
        if (filter.unit) return e.unitId !== undefined && filter.unit(e.unitId);
        return true;
      })
      .reverse();
  }
}
