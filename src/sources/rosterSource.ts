import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseRoster } from '../roster/parse';
import { OrgTree } from '../roster/orgTree';

/** The roster file, re-read when it changes, so the worker picks up a new roster without a restart. */
export function rosterSource(catalogDir: string): () => OrgTree {
  const file = path.join(catalogDir, 'roster.yaml');
  let cached: { mtimeMs: number; tree: OrgTree } | undefined;
  return () => {
    const { mtimeMs } = statSync(file);
    if (!cached || cached.mtimeMs !== mtimeMs) {
      cached = { mtimeMs, tree: new OrgTree(parseRoster(readFileSync(file, 'utf8'), file)) };
    }
    return cached.tree;
  };
}
