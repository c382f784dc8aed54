import path from 'node:path';
import { JsonFile } from '../store/jsonFile';
import type { SessionRecord, SessionRecords } from './records';

/**
 * `<dataDir>/auth/sessions.json`, held in memory after the first read: only the one server of a file-backed
 * installation writes it (several replicas share sessions through PostgreSQL instead).
 */
export class FileSessionRecords implements SessionRecords {
  private readonly file: JsonFile<Record<string, SessionRecord>>;
  private cache?: Record<string, SessionRecord>;

  constructor(dataDir: string) {
    this.file = new JsonFile(path.join(dataDir, 'auth', 'sessions.json'), () => ({}));
  }

  async put(key: string, session: SessionRecord, now: Date): Promise<void> {
    this.change((all) => {
      for (const [k, s] of Object.entries(all)) if (Date.parse(s.expiresAt) <= now.getTime()) delete all[k];
      all[key] = session;
    });
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    return this.read()[key];
  }

  async all(): Promise<SessionRecord[]> {
    return Object.values(this.read());
  }

  /** With their keys, for `duty migrate`: a session copied under its key keeps its cookie working. */
  async entries(): Promise<[string, SessionRecord][]> {
    return Object.entries(this.read());
  }

  async delete(key: string): Promise<void> {
    this.change((all) => delete all[key]);
  }

  private read(): Record<string, SessionRecord> {
    return (this.cache ??= this.file.read());
  }

  private change(f: (all: Record<string, SessionRecord>) => void): void {
    const next = { ...this.read() };
    f(next);
    this.cache = next;
    this.file.write(next);
  }
}
