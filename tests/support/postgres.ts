import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { clusterLayout, type ClusterLayout } from '../../scripts/cluster/layout';
import { ensurePgBinaries, ensurePgInitialized, findPgBinaries, pgPassword, postgresAccepting, startPostgres, stopPostgres } from '../../scripts/cluster/postgres';
import { DATABASE_USER } from '../../scripts/cluster/serverConfig';

/**
 * One throwaway PostgreSQL per `npm test` run (the Debian binaries, its own data directory under the system temp
 * folder, a free loopback port), started by globalSetup; every test file that needs one gets a database of its own
 * with `freshDatabase()`, so files running in parallel never see each other's rows.
 */
const ADMIN_URL = 'DUTY_TEST_PG_ADMIN_URL';
const ROOT = 'DUTY_TEST_PG_ROOT';

export async function startTestPostgres(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'duty-test-pg-'));
  // PostgreSQL runs as its own system user when we are root: it must reach the folder.
  await fs.chmod(root, 0o755);
  try {
    const layout = clusterLayout(root, (await freePort()) - 5432);
    const bin = await ensurePgBinaries((line) => process.stdout.write(`${line}\n`));
    await ensurePgInitialized(layout, bin, () => undefined);
    await startPostgres(layout, bin);
    while (!(await postgresAccepting(layout, bin))) await new Promise((r) => setTimeout(r, 100));
    process.env[ADMIN_URL] = urlOf(layout, await pgPassword(layout), 'postgres');
    process.env[ROOT] = root;
  } catch (err) {
    await fs.rm(root, { recursive: true, force: true });
    throw err;
  }
}

export async function stopTestPostgres(): Promise<void> {
  const root = process.env[ROOT];
  const bin = await findPgBinaries();
  if (!root || !bin) return;
  await stopPostgres(layoutAt(root), bin);
  await fs.rm(root, { recursive: true, force: true });
}

/** A new, empty database on the run's PostgreSQL; `drop` removes it (call it in afterAll after closing pools). */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env[ADMIN_URL];
  if (!admin) throw new Error(`${ADMIN_URL} is not set: jest's globalSetup starts the test PostgreSQL`);
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function layoutAt(root: string): ClusterLayout {
  const port = Number(new URL(process.env[ADMIN_URL]!).port);
  return clusterLayout(root, port - 5432);
}

function urlOf(layout: ClusterLayout, password: string, database: string): string {
  return `postgresql://${DATABASE_USER}:${encodeURIComponent(password)}@${layout.host}:${layout.ports.postgres}/${database}`;
}

/**
 * Above every port of a cluster test (offsets 10 000 and 20 000 reach 29 239) and below the ephemeral range, within what
 * the layout's smallint offset allows. Random, so parallel runs rarely collide.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 30_500 + Math.floor(Math.random() * 750);
    if (await isFree(port)) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
