import { JsonFile } from '../store/jsonFile';
import type { FeedEntry, FeedTokenRecords } from './tokenRecords';

interface TokenDoc {
  version: 1;
  /** By person. */
  feeds: Record<string, { sha256: string; createdAt: string }>;
}

/** `<dataDir>/feeds/tokens.json`, read from disk each time so a revocation by the CLI applies at once. */
export class FileFeedTokenRecords implements FeedTokenRecords {
  private readonly store: JsonFile<TokenDoc>;

  constructor(file: string) {
    this.store = new JsonFile<TokenDoc>(file, () => ({ version: 1, feeds: {} }));
  }

  async put({ personId, sha256, createdAt }: FeedEntry): Promise<void> {
    this.store.update((doc) => ({ ...doc, feeds: { ...doc.feeds, [personId]: { sha256, createdAt } } }));
  }

  async remove(personId: string): Promise<boolean> {
    const doc = this.store.read();
    if (!doc.feeds[personId]) return false;
    const feeds = { ...doc.feeds };
    delete feeds[personId];
    this.store.write({ ...doc, feeds });
    return true;
  }

  candidates(): Promise<FeedEntry[]> {
    return this.list();
  }

  async list(): Promise<FeedEntry[]> {
    return Object.entries(this.store.read().feeds).map(([personId, e]) => ({ personId, sha256: e.sha256, createdAt: e.createdAt }));
  }
}
