import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * An append-only JSON-lines file: each record is written and flushed to disk before `append` returns,
 * so what was acknowledged survives a kill -9. A torn last line (a crash mid-write) is skipped on read.
 */
export class AppendLog<T> {
  constructor(readonly file: string) {}

  append(record: T): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a');
    try {
      appendFileSync(fd, `${JSON.stringify(record)}\n`, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  readAll(): T[] {
    if (!existsSync(this.file)) return [];
    const records: T[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        // Only the last line can be torn, by a crash during its write; it was never acknowledged.
      }
    }
    return records;
  }
}
