import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import pg from 'pg';
import type { ClusterLayout } from './layout';
import { pgPassword } from './postgres';
import { DATABASE_USER } from './serverConfig';

/** The engine's own state (accounts, sessions, audit, send ledger …): its own role and database beside Temporal's. */
export const DUTY_DATABASE = 'duty';
const DUTY_ROLE = 'duty';

/**
 * Makes the `duty` role (not a superuser: it owns its database and nothing else) and database where missing. The
 * engine's processes apply its migrations themselves at start-up (src/store/pg/database.ts). Returns whether it made
 * the database.
 */
export async function ensureDutyDatabase(layout: ClusterLayout): Promise<boolean> {
  const password = await dutyPassword(layout);
  const admin = new pg.Client({ host: layout.host, port: layout.ports.postgres, user: DATABASE_USER, password: await pgPassword(layout), database: 'postgres' });
  await admin.connect();
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [DUTY_ROLE]);
    // Set on every run: the password file is the one source, and a restored file must work again.
    const verb = role.rowCount ? 'ALTER' : 'CREATE';
    await admin.query(`${verb} ROLE ${DUTY_ROLE} LOGIN PASSWORD ${admin.escapeLiteral(password)}`);
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DUTY_DATABASE]);
    if (db.rowCount) return false;
    await admin.query(`CREATE DATABASE ${DUTY_DATABASE} OWNER ${DUTY_ROLE} ENCODING 'UTF8'`);
    return true;
  } finally {
    await admin.end();
  }
}

/** DUTY_DATABASE_URL for every worker, HTTP replica and `duty` command of the cluster. */
export async function dutyDatabaseUrl(layout: ClusterLayout): Promise<string> {
  return `postgresql://${DUTY_ROLE}:${await dutyPassword(layout)}@${layout.host}:${layout.ports.postgres}/${DUTY_DATABASE}`;
}

/** Made once; URL-safe characters only, so the URL needs no escaping. */
async function dutyPassword(layout: ClusterLayout): Promise<string> {
  try {
    return (await fs.readFile(layout.dutyPasswordFile, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(layout.dutyPasswordFile, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await fs.readFile(layout.dutyPasswordFile, 'utf8')).trim();
  }
}
