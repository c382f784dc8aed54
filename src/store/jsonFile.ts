import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from './privateFiles';

/**
 * A small JSON document on disk, replaced atomically (write to a temp file, fsync, rename), so a crash
 * leaves either the old or the new version, never half of one. One process writes it at a time. The new version is
 * owner-only whatever the old one was (see ./privateFiles.ts).
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
    privateDir(path.dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      // Explicitly: the mode given to open is bent by the umask and ignored for a temp file a crash left behind.
      fchmodSync(fd, PRIVATE_FILE_MODE);
      writeFileSync(fd, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  update(change: (value: T) => T): T {
    const next = change(this.read());
    this.write(next);
    return next;
  }
}
