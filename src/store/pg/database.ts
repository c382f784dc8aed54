import pg from 'pg';
import { DatabaseUnreachableError, UsageError } from '../../errors';
import { MIGRATIONS, type Migration } from './migrations';

/**
 * The project's own state in PostgreSQL (`DUTY_DATABASE_URL`): one pool per process, the schema brought up to date
 * before first use. Migrations are numbered and applied in order, each in its own transaction, under an advisory lock
 * so two processes starting together (two workers, two HTTP replicas) apply each exactly once. A database already
 * carrying a newer schema than this program knows is refused: an older replica must not write rows it misreads.
 */
export class PgDatabase {
  readonly pool: pg.Pool;

  private constructor(
    readonly url: string,
    poolSize: number,
  ) {
    // allowExitOnIdle: a CLI command ends when its work does, without closing the pool by hand.
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, allowExitOnIdle: true, application_name: 'duty-engine' });
    // An idle client losing its server (PostgreSQL restarted) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  static async open(url: string, opts: { poolSize?: number; migrations?: readonly Migration[] } = {}): Promise<PgDatabase> {
    const db = new PgDatabase(url, opts.poolSize ?? 10);
    try {
      await db.reach();
      await db.migrate(opts.migrations ?? MIGRATIONS);
    } catch (err) {
      await db.pool.end();
      throw err;
    }
    return db;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** One transaction on one connection; rolled back when `work` throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The schema version now in the database (0: none yet). */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.query<{ v: number | null }>('SELECT max(version) AS v FROM duty_schema_migrations');
    return rows[0]?.v ?? 0;
  }

  /** One round trip first, so an unreachable database is told apart from a failing migration. */
  private async reach(): Promise<void> {
    try {
      await this.query('SELECT 1');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DatabaseUnreachableError(`无法连接引擎数据库 ${redact(this.url)}(DUTY_DATABASE_URL): ${why}。请确认 PostgreSQL 在运行,地址、用户与密码正确。`, { cause: err });
    }
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const known = checkedOrder(migrations);
    await this.transaction(async (client) => {
      // Held to the end of this transaction: a second process waits here, then finds the work done.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS duty_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM duty_schema_migrations ORDER BY version');
      const applied = new Set(rows.map((r) => r.version));
      const newest = Math.max(0, ...applied);
      if (newest > known) {
        throw new UsageError(`数据库 ${redact(this.url)} 的表结构版本为 ${newest},本程序只认识到 ${known};请先把所有进程升级到新版本再启动(不会写入任何数据)`);
      }
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO duty_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
  }
}

/** Any constant: it names "our migrations" among the advisory locks of whatever else shares the database. */
const MIGRATION_LOCK = 0x64757479;

function checkedOrder(migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  return migrations.length;
}

/** The address without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(无法解析的地址)';
  }
}
