import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { type WorkCalendar } from '../calendar';
import { loadCatalog } from '../sources/catalogFiles';
import { CatalogSource } from '../sources/catalogSource';
import type { Settings } from '../config';
import { NotFoundError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import type { Catalog, Duty } from '../shared/types';
import type { ServiceContext } from './context';
import { DashboardCache } from './dashboardCache';
import { loadWorkCalendar } from '../sources/holidays';

/** The long-lived service context of the HTTP server: one Temporal client and the catalog source the worker uses too. */
export class ServerContext implements ServiceContext {
  /** Shared with the routes that need the roster synchronously (the ICS feed). */
  readonly source: CatalogSource;
  private cal?: WorkCalendar;
  readonly dashboards: DashboardCache;

  constructor(
    readonly settings: Settings,
    private readonly client: Client,
    private readonly log?: Logger,
    opts: { dashboardTtlMs?: number } = {},
  ) {
    this.source = new CatalogSource(settings.catalogDir, log);
    this.dashboards = new DashboardCache(this, opts.dashboardTtlMs);
  }

  async catalog(dir?: string): Promise<Catalog> {
    if (dir && path.resolve(dir) !== this.settings.catalogDir) return loadCatalog(dir);
    return this.source.catalog();
  }

  async tree(): Promise<OrgTree> {
    return this.source.tree();
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
