import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Duty } from '../shared/types';
import { loadCatalog } from './catalogFiles';

/**
 * The catalog's duties for activities that start event-triggered work (revisits, lifecycles), re-read when a file
 * changes so a corrected deadline reaches the next household without restarting the worker. An invalid catalog
 * stays an error until it is fixed.
 */
export function dutySource(catalogDir: string): () => Promise<Duty[]> {
  let cached: { stamp: string; duties: Promise<Duty[]> } | undefined;
  return () => {
    const stamp = catalogStamp(catalogDir);
    if (!cached || cached.stamp !== stamp) cached = { stamp, duties: loadCatalog(catalogDir).then((c) => c.duties) };
    return cached.duties;
  };
}

function catalogStamp(dir: string): string {
  const dutiesDir = path.join(dir, 'duties');
  const files = [path.join(dir, 'roster.yaml'), ...readdirSync(dutiesDir).map((n) => path.join(dutiesDir, n))];
  return files.map((f) => `${f}@${statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0}`).join('|');
}
