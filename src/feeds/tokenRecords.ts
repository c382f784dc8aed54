/** One person's feed: the SHA-256 (hex) of their current token, which itself is shown once and never stored. */
export interface FeedEntry {
  personId: string;
  sha256: string;
  createdAt: string;
}

/** Where feed tokens are kept: a file under the data directory, or PostgreSQL. The rules are in ./tokens.ts. */
export interface FeedTokenRecords {
  /** Replaces the person's entry, if any. */
  put(entry: FeedEntry): Promise<void>;
  /** False when the person had no feed. */
  remove(personId: string): Promise<boolean>;
  /** The entries that may hold this digest (the file: all of them; the database: the indexed match). */
  candidates(sha256: string): Promise<FeedEntry[]>;
  list(): Promise<FeedEntry[]>;
}
