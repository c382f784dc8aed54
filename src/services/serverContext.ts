import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { type WorkCalendar } from '../calendar';
import { loadCatalog } from '../sources/catalogFiles';
import type { Settings } from '../config';
import { NotFoundError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { rosterSource } from '../sources/rosterSource';
import type { Catalog, Duty } from '../shared/types';
import type { ServiceContext } from './context';
import { DashboardCache } from './dashboardCache';
import { loadWorkCalendar } from '../sources/holidays';

/**
 * The long-lived service context of the HTTP server: one Temporal client, the roster re-read when its file changes
 * (as the worker does), and the catalog reloaded when a file in it changes. A catalog edited into an invalid
 * state keeps the last valid one serving, since `duty apply` would refuse it too.
 */
export class ServerContext implements ServiceContext {
  private readonly roster: () => OrgTree;
  private cached?: { stamp: string; catalog: Promise<Catalog> };
  private cal?: WorkCalendar;
  readonly dashboards: DashboardCache;

  constructor(
    readonly settings: Settings,
    private readonly client: Client,
    private readonly log?: Logger,
    opts: { dashboardTtlMs?: number } = {},
  ) {
    this.roster = rosterSource(settings.catalogDir);
    this.dashboards = new DashboardCache(this, opts.dashboardTtlMs);
  }

  async catalog(dir?: string): Promise<Catalog> {
    if (dir && path.resolve(dir) !== this.settings.catalogDir) return loadCatalog(dir);
    const stamp = catalogStamp(this.settings.catalogDir);
    if (this.cached?.stamp !== stamp) {
      const previous = this.cached?.catalog;
      const next = loadCatalog(this.settings.catalogDir).catch((err: unknown) => {
        if (!previous) throw err;
        this.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'catalog changed but is invalid; keeping the last valid one');
        return previous;
      });
      this.cached = { stamp, catalog: next };
    }
    return this.cached.catalog;
  }

  async tree(): Promise<OrgTree> {
    return this.roster();
  }

  async duty(dutyId: string): Promise<Duty> {
    const duty = (await this.catalog()).duties.find((d) => d.id === dutyId);
    if (!duty) throw new NotFoundError('职责', dutyId);
    return duty;
  }

  async temporal(): Promise<Client> {
    return this.client;
  }

  calendar(): WorkCalendar {
    return (this.cal ??= loadWorkCalendar());
  }
}

function catalogStamp(dir: string): string {
  const files = ['roster.yaml', ...safeList(path.join(dir, 'duties')).map((f) => path.join('duties', f))];
  return files.map((f) => `${f}:${statSync(path.join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0}`).join('|');
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
