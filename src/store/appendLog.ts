import { appendFileSync, closeSync, existsSync, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from './privateFiles';

/**
 * An append-only JSON-lines file: each record is written and flushed to disk before `append` returns,
 * so what was acknowledged survives a kill -9. A torn last line (a crash mid-write) is skipped on read. The file is
 * owner-only, also when an older version created it open to everyone (see ./privateFiles.ts).
 */
export class AppendLog<T> {
  constructor(readonly file: string) {}

  append(record: T): void {
    privateDir(path.dirname(this.file));
    const fd = openSync(this.file, 'a', PRIVATE_FILE_MODE);
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE);
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

  /**
   * The records appended since byte `offset` (0: all), and the offset to read from next time. Only whole lines are
   * read: one being written is left for the next read.
   */
  readFrom(offset: number): { records: T[]; next: number } {
    if (!existsSync(this.file)) return { records: [], next: 0 };
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= offset) return { records: [], next: Math.min(offset, size) };
      const bytes = Buffer.alloc(size - offset);
      readSync(fd, bytes, 0, bytes.length, offset);
      const end = bytes.lastIndexOf(0x0a) + 1;
      const records: T[] = [];
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          records.push(JSON.parse(line) as T);
        } catch {
          // A torn line from a crash mid-write, as in readAll.
        }
      }
      return { records, next: offset + end };
    } finally {
      closeSync(fd);
    }
  }
}
