import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ASSESSMENT_FILE } from '../catalog/assessment';
import { OrgTree } from '../roster/orgTree';
import { parseRoster } from '../roster/parse';
import type { Catalog, Duty } from '../shared/types';
import { loadCatalog } from './catalogFiles';

/**
 * The catalog and roster of one folder, re-read when a file in it changes, for the worker, the HTTP server and the
 * CLI alike: a corrected deadline or a new cadre reaches the next task without a restart. A folder edited into an
 * invalid state keeps the last valid one serving (with a warning), since `duty apply` would refuse it too; with
 * no valid one yet, the error is the caller's.
 */
export class CatalogSource {
  private catalogRead?: { stamp: string; catalog: Promise<Catalog> };
  private rosterRead?: { stamp: string; tree: OrgTree };

  constructor(
    readonly dir: string,
    private readonly log?: Logger,
  ) {}

  catalog(): Promise<Catalog> {
    const stamp = this.stamp(this.files());
    if (this.catalogRead?.stamp !== stamp) {
      const previous = this.catalogRead?.catalog;
      const next = loadCatalog(this.dir).catch((err: unknown) => this.keepPrevious(previous, err));
      this.catalogRead = { stamp, catalog: next };
    }
    return this.catalogRead.catalog;
  }

  async duties(): Promise<Duty[]> {
    return (await this.catalog()).duties;
  }

  /** Synchronous, for activities that resolve people while planning: only `roster.yaml` is read. */
  tree(): OrgTree {
    const file = path.join(this.dir, 'roster.yaml');
    const stamp = this.stamp([file]);
    if (this.rosterRead?.stamp !== stamp) {
      try {
        this.rosterRead = { stamp, tree: new OrgTree(parseRoster(readFileSync(file, 'utf8'), file)) };
      } catch (err) {
        if (!this.rosterRead) throw err;
        this.warn(err, 'roster');
      }
    }
    return this.rosterRead.tree;
  }

  private async keepPrevious(previous: Promise<Catalog> | undefined, err: unknown): Promise<Catalog> {
    if (!previous) throw err;
    this.warn(err, 'catalog');
    return previous;
  }

  private warn(err: unknown, what: string): void {
    this.log?.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} changed but is invalid; keeping the last valid one`);
  }

  private files(): string[] {
    const dutiesDir = path.join(this.dir, 'duties');
    let names: string[] = [];
    try {
      names = readdirSync(dutiesDir).sort();
    } catch {
      // A missing duties folder is loadCatalog's error to report, with its place.
    }
    return [path.join(this.dir, 'roster.yaml'), path.join(this.dir, ASSESSMENT_FILE), ...names.map((n) => path.join(dutiesDir, n))];
  }

  private stamp(files: string[]): string {
    return files.map((f) => `${f}@${statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0}`).join('|');
  }
}
