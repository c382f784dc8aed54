import { appendFileSync, closeSync, existsSync, fchmodSync, fsyncSync, openSync, readFileSync } from 'node:fs';
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
}
