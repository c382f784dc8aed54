import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { accountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { REPO_ROOT, settings } from '../../src/config';
import { buildServer } from '../../src/http/server';
import { OrgTree } from '../../src/roster/orgTree';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import { ServerContext } from '../../src/services/serverContext';
import { storeBackend } from '../../src/store/backend';
import { startDevServer } from '../../tools/devServer';
import { dutyDataConverter } from '../../src/temporal/payloadCodec';
import { browserTimes, httpTimes } from './measure';
import { seedTasks } from './seed';

/**
 * Supervisor dashboard (/overdue) with N open tasks in the county, on a real dev server with a SQLite file as
 * `npm start` runs it, payload encryption on. Usage:
 *   npx tsx bench/dashboard/main.ts [--tasks 10000] [--overdue-share 0.2] [--runs 10]
 */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const PASSWORD = 'bench-password';

async function main(): Promise<void> {
  const count = arg('tasks', 10_000);
  const overdueShare = arg('overdue-share', 0.2);
  const runs = arg('runs', 10);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-bench-dashboard-'));
  const server = await startDevServer({ headless: true, dbFile: path.join(tmp, 'temporal.db') });
  const connection = await Connection.connect({ address: server.address });
  const key = randomBytes(32);
  const client = new Client({ connection, namespace: server.namespace, dataConverter: dutyDataConverter({ current: { id: 'bench', key }, all: new Map([['bench', key]]), source: 'bench' }) });
  try {
    const s = { ...settings(), dataDir: tmp, taskQueue: `bench-dashboard-${Date.now()}` };
    const catalog = await loadCatalog(s.catalogDir);
    const tree = new OrgTree(catalog.roster);
    const seeded = await seedTasks(client, tree, catalog.duties, { count, overdueShare, taskQueue: s.taskQueue });
    for (let n = 0; n < count; ) n = (await client.workflow.count(visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).build())).count;
    process.stdout.write(`seeded ${count} open tasks (${seeded.overdue} past their deadline) in ${(seeded.ms / 1000).toFixed(1)} s\n`);

    const backend = await storeBackend(s);
    const accounts = accountStore(backend, 4);
    for (const id of ['p-lead-zhang', 'p-qh-sup']) await accounts.setPassword(id, PASSWORD);
    const log = pino({ level: 'warn' });
    const results: Record<string, unknown> = { tasks: count, overdue: seeded.overdue, seedSeconds: seeded.ms / 1000, cpus: os.cpus().length, loadAverage: os.loadavg() };
    // Uncached: every load computes the dashboard. Cached: as `npm start` serves it (shared per scope, 30 s).
    for (const [mode, ttl] of [['uncached', 0], ['cached', undefined]] as const) {
      const services = new ServerContext(s, client, log, { dashboardTtlMs: ttl });
      const app = await buildServer({ services, accounts, sessions: sessionStore(backend), log, options: { secureCookies: false, loginRateLimit: { max: 1000, timeWindowMs: 60_000 } } });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      for (const who of ['p-lead-zhang', 'p-qh-sup']) {
        const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ personId: who, password: PASSWORD }) });
        const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
        const html = await httpTimes(`${base}/overdue`, cookie, runs);
        const browser = await browserTimes(base, '/overdue', who, PASSWORD, Math.max(3, Math.floor(runs / 2)));
        results[`${mode}:${who}`] = { html, browser };
        process.stdout.write(`${mode} ${who}: GET /overdue first ${html.first.toFixed(0)} ms, then median ${html.warm.median.toFixed(0)} ms (p90 ${html.warm.p90.toFixed(0)}), ${html.bytes} B; `);
        process.stdout.write(`chromium load median ${browser.load.median.toFixed(0)} ms (TTFB ${browser.ttfb.median.toFixed(0)} ms)\n`);
        if (mode === 'cached') for (const a of browser.assets) process.stdout.write(`  ${a.url.slice(0, 60)}  ${a.type.split(';')[0]}  ${a.bytes} B (gzip ${a.gzipBytes} B)\n`);
      }
      await app.close();
    }
    mkdirSync(path.join(REPO_ROOT, 'artifacts'), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, 'artifacts', 'bench-dashboard.json'), JSON.stringify(results, null, 2));
    process.stdout.write('written to artifacts/bench-dashboard.json\n');
  } finally {
    await connection.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
