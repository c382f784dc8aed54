import type { Client } from '@temporalio/client';
import { CatalogSource } from '../sources/catalogSource';
import { settings } from '../config';
import { NotFoundError } from '../errors';
import { OrgTree } from '../roster/orgTree';
import type { Catalog, Duty } from '../shared/types';
import { connectClient } from '../temporal/connection';

/** What every command may need, each piece loaded only when asked for. */
export class CliContext {
  readonly settings = settings();
  private client?: Promise<{ client: Client; close: () => Promise<void> }>;
  private sources = new Map<string, CatalogSource>();

  catalog(dir = this.settings.catalogDir): Promise<Catalog> {
    let source = this.sources.get(dir);
    if (!source) this.sources.set(dir, (source = new CatalogSource(dir)));
    return source.catalog();
  }

  /** The roster as the catalog check sees it: a command refuses a folder whose duties do not fit its roster. */
  async tree(dir?: string): Promise<OrgTree> {
    return new OrgTree((await this.catalog(dir)).roster);
  }

  async duty(dutyId: string, dir?: string): Promise<Duty> {
    const duty = (await this.catalog(dir)).duties.find((d) => d.id === dutyId);
    if (!duty) throw new NotFoundError('职责', dutyId);
    return duty;
  }

  async temporal(): Promise<Client> {
    this.client ??= connectClient().then(({ connection, client }) => ({ client, close: () => connection.close() }));
    return (await this.client).client;
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client).close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
