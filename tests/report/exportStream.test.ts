import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { seedTasks } from '../../bench/dashboard/seed';
import { accountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { settings, type Settings } from '../../src/config';
import { buildServer } from '../../src/http/server';
import { OrgTree } from '../../src/roster/orgTree';
import { ServerContext } from '../../src/services/serverContext';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { taskQuery } from '../../src/tasks/query';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { login } from '../http/stack';
import { duty, eventually } from '../support/cli';

/**
 * The overdue downloads are written while they are listed: on a real dev server holding a few thousand overdue
 * tasks (real task workflows, seeded as the dashboard bench seeds them), the first bytes of the CSV and of the Excel
 * file come within a second, in several pieces, and every overdue task is a row, over HTTP and from `duty report`,
 * which shows its progress on stderr. (20,000 rows, with the memory used, are measured by `npm run bench`.)
 */
const ROWS = 2_000;
const PASSWORD = 'test-password-1';

let server: DevServer;
let connection: Connection;
let app: FastifyInstance;
let tmp: string;
let base: string;
let cookie: string;
const previous: Record<string, string | undefined> = {};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-export-'));
  server = await startDevServer({ headless: true });
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const s: Settings = { ...settings(), dataDir: tmp, taskQueue: `export-${process.pid}` };
  const catalog = await loadCatalog(s.catalogDir);
  await seedTasks(client, new OrgTree(catalog.roster), catalog.duties, { count: ROWS, overdueShare: 1, taskQueue: s.taskQueue });
  await eventually(async () => (await client.workflow.count(taskQuery({ statuses: ['open', 'overdue'], dueBefore: new Date() }))).count, (n) => n === ROWS, 120_000);
  const accounts = accountStore({ kind: 'files', dataDir: tmp }, 4);
  await accounts.setPassword('p-admin', PASSWORD);
  const log = pino({ level: 'silent' });
  app = await buildServer({ services: new ServerContext(s, client, log), accounts, sessions: sessionStore({ kind: 'files', dataDir: tmp }), log, options: { secureCookies: false, loginRateLimit: { max: 100, timeWindowMs: 60_000 } } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  cookie = await login(base, 'p-admin', PASSWORD);
  // The CLI builds its own context from the environment, as `duty` does in a shell.
  for (const [k, v] of Object.entries({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, DUTY_DATA_DIR: tmp })) {
    previous[k] = process.env[k];
    process.env[k] = v;
  }
}, 300_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(previous)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await app?.close();
  await connection?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A download as it arrives: when the first bytes came, in how many pieces, and all of it. */
function download(url: string): Promise<{ status: number; type: string; firstBytesMs: number; pieces: number; body: Buffer }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${url}`, { headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        let firstBytesMs = 0;
        res.on('data', (c: Buffer) => {
          if (chunks.length === 0) firstBytesMs = performance.now() - started;
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), firstBytesMs, pieces: chunks.length, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Task rows of the workbook: every sheet but the summary, less its header row. */
async function workbookRows(bytes: Buffer): Promise<{ rows: number; summary: string }> {
  const wb = new Workbook();
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const [summary, ...townships] = wb.worksheets;
  const last = summary?.getRow(summary.rowCount).getCell(1).value;
  return { rows: townships.reduce((n, s) => n + s.rowCount - 1, 0), summary: String(last) };
}

test('the CSV download: first bytes within a second, in pieces, a row for every overdue task', async () => {
  const csv = await download('/api/reports/overdue?format=csv');
  expect(csv).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8' });
  expect(csv.firstBytesMs).toBeLessThan(1_000);
  expect(csv.pieces).toBeGreaterThan(1);
  const rows = parse(csv.body.toString('utf8'), { bom: true }) as string[][];
  expect(rows[0]?.[0]).toBe('乡镇/街道');
  expect(rows).toHaveLength(ROWS + 1);
  expect(new Set(rows.slice(1).map((r) => r[8])).size).toBe(ROWS);
});

test('the Excel download: first bytes within a second, the summary first, every overdue task on its township’s sheet', async () => {
  const xlsx = await download('/api/reports/overdue?format=xlsx');
  expect(xlsx.status).toBe(200);
  expect(xlsx.firstBytesMs).toBeLessThan(1_000);
  expect(xlsx.pieces).toBeGreaterThan(1);
  const { rows, summary } = await workbookRows(xlsx.body);
  expect(rows).toBe(ROWS);
  expect(summary).toContain(`共 ${ROWS} 项逾期`);
});

test('`duty report overdue` writes the CSV to stdout and the Excel file to --out, with a progress line on stderr', async () => {
  const csv = await duty('report', 'overdue', '--format', 'csv');
  expect(csv.code).toBe(0);
  expect(parse(csv.out, { bom: true })).toHaveLength(ROWS + 1);
  expect(csv.err).toContain(`已导出 ${ROWS} / ${ROWS} 行`);
  const file = path.join(tmp, '逾期.xlsx');
  const xlsx = await duty('report', 'overdue', '--format', 'xlsx', '--out', file);
  expect(xlsx.code).toBe(0);
  expect(xlsx.err).toContain(`已导出 ${ROWS} / ${ROWS} 行`);
  expect(xlsx.err).toContain(`逾期任务报告(${ROWS} 项): ${file}`);
  expect((await workbookRows(readFileSync(file))).rows).toBe(ROWS);
});
