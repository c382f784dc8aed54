import path from 'node:path';
import type { ClusterLayout } from './layout';
import type { PgBinaries } from './postgres';
import { run } from './exec';
import type { ServerBinaries } from './serverBinary';
import { DATABASE_USER, DATABASES } from './serverConfig';

/** The schema tool's own copies (embedded in it), so the schema always matches the tool's server version. */
const SCHEMA_NAMES: Record<keyof typeof DATABASES, string> = {
  main: 'postgresql/v12/temporal',
  visibility: 'postgresql/v12/visibility',
};

export interface SchemaResult {
  database: string;
  created: boolean;
  version: string;
}

/**
 * Creates both databases where missing, then brings each schema to the newest version the tool knows. A second run
 * changes nothing: `setup-schema -v 0.0` runs only on a database without a version table (it would reset the recorded
 * version), and `update-schema` skips versions already applied.
 */
export async function ensureSchemas(layout: ClusterLayout, pg: PgBinaries, bins: ServerBinaries, password: string): Promise<SchemaResult[]> {
  const results: SchemaResult[] = [];
  for (const key of Object.keys(DATABASES) as (keyof typeof DATABASES)[]) {
    const database = DATABASES[key];
    // The password goes in the environment, not on the command line where `ps` shows it.
    const sql = (args: string[]) =>
      run(bins.sqlTool, [...connectArgs(layout, database), ...args], { env: { ...process.env, SQL_PASSWORD: password } });
    const created = !(await query(layout, pg, password, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`));
    if (created) await sql(['create-database']);
    if (!(await query(layout, pg, password, database, "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'"))) {
      await sql(['setup-schema', '-v', '0.0']);
    }
    await sql(['update-schema', '--schema-name', SCHEMA_NAMES[key]]);
    const version = await query(layout, pg, password, database, 'SELECT curr_version FROM schema_version LIMIT 1');
    results.push({ database, created, version });
  }
  return results;
}

function connectArgs(layout: ClusterLayout, database: string): string[] {
  return ['--endpoint', layout.host, '--port', String(layout.ports.postgres), '--user', DATABASE_USER, '--plugin', 'postgres12',
    '--database', database, '--quiet'];
}

/** One value from psql (empty when no row): the checks above need answers, not the tool's error texts. */
async function query(layout: ClusterLayout, pg: PgBinaries, password: string, database: string, sql: string): Promise<string> {
  const args = ['-h', layout.host, '-p', String(layout.ports.postgres), '-U', DATABASE_USER, '-d', database, '-XAtq', '-c', sql];
  const out = await run(path.join(pg.dir, 'psql'), args, { env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' } });
  return out.trim();
}
