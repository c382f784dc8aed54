import { PgDatabase } from '../../src/store/pg/database';
import { MIGRATIONS } from '../../src/store/pg/migrations';
import { freshDatabase } from '../support/postgres';
import { duty } from '../support/cli';

describe('PostgreSQL schema migrations', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeEach(async () => {
    database = await freshDatabase();
  });
  afterEach(() => database.drop());

  test('two processes starting together apply each migration once', async () => {
    const [a, b] = await Promise.all([PgDatabase.open(database.url), PgDatabase.open(database.url)]);
    try {
      expect(await a.schemaVersion()).toBe(MIGRATIONS.length);
      const { rows } = await b.query<{ n: string }>('SELECT count(*) AS n FROM duty_schema_migrations');
      expect(Number(rows[0]!.n)).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a newer schema than this program knows is refused, and nothing is written', async () => {
    const newer = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'from a newer release', sql: 'CREATE TABLE from_the_future (x int)' }];
    await (await PgDatabase.open(database.url, { migrations: newer })).close();
    await expect(PgDatabase.open(database.url)).rejects.toThrow(new RegExp(`表结构版本为 ${newer.length},本程序只认识到 ${MIGRATIONS.length}`));
    const db = await PgDatabase.open(database.url, { migrations: newer });
    try {
      expect(await db.schemaVersion()).toBe(newer.length);
    } finally {
      await db.close();
    }
  });

  test('a failing migration leaves the schema where it was', async () => {
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x int); SELECT no_such_function()' }];
    await expect(PgDatabase.open(database.url, { migrations: broken })).rejects.toThrow(/no_such_function/);
    const db = await PgDatabase.open(database.url);
    try {
      expect(await db.schemaVersion()).toBe(MIGRATIONS.length);
      const { rows } = await db.query("SELECT to_regclass('half') AS t");
      expect(rows[0]!.t).toBeNull();
    } finally {
      await db.close();
    }
  });
});

describe('a database that cannot be used', () => {
  const saved = process.env.DUTY_DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DUTY_DATABASE_URL;
    else process.env.DUTY_DATABASE_URL = saved;
  });

  test('unreachable: a Chinese line naming the database, without its password', async () => {
    process.env.DUTY_DATABASE_URL = 'postgresql://duty:s3cret@127.0.0.1:1/duty';
    const r = await duty('audit');
    expect(r.code).toBe(1);
    expect(r.err).toContain('无法连接引擎数据库 postgresql://duty:***@127.0.0.1:1/duty(DUTY_DATABASE_URL)');
    expect(r.err).not.toContain('s3cret');
  });

  test('not a PostgreSQL address: refused as bad input, naming the variable', async () => {
    process.env.DUTY_DATABASE_URL = 'mysql://x';
    const r = await duty('audit');
    expect(r.code).toBe(2);
    expect(r.err).toContain('环境变量 DUTY_DATABASE_URL 必须形如 postgresql://');
  });
});
