import type { Client } from '@temporalio/client';
import { loadCatalog } from '../sources/catalogFiles';
import { settings } from '../config';
import { NotFoundError } from '../errors';
import { OrgTree } from '../roster/orgTree';
import type { Catalog, Duty } from '../shared/types';
import { connectClient } from '../temporal/connection';

/** What every command may need, each piece loaded only when asked for. */
export class CliContext {
  readonly settings = settings();
  private client?: Promise<{ client: Client; close: () => Promise<void> }>;
  private catalogs = new Map<string, Promise<Catalog>>();

  catalog(dir = this.settings.catalogDir): Promise<Catalog> {
    let c = this.catalogs.get(dir);
    if (!c) this.catalogs.set(dir, (c = loadCatalog(dir)));
    return c;
  }

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
