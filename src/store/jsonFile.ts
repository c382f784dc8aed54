import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, fsyncSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';

/**
 * A small JSON document on disk, replaced atomically (write to a temp file, fsync, rename), so a crash
 * leaves either the old or the new version, never half of one. One process writes it at a time.
 */
export class JsonFile<T> {
  constructor(
    readonly file: string,
    private readonly empty: () => T,
  ) {}

  read(): T {
    if (!existsSync(this.file)) return this.empty();
    return JSON.parse(readFileSync(this.file, 'utf8')) as T;
  }

  write(value: T): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
  }

  update(change: (value: T) => T): T {
    const next = change(this.read());
    this.write(next);
    return next;
  }
}
