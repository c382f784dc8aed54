import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { FileAuditLog } from '../../src/audit/fileLog';
import { accountStore } from '../../src/auth/accounts';
import { sessionStore } from '../../src/auth/sessions';
import { REPO_ROOT, settings, type Settings } from '../../src/config';
import { AUDIT_PAGE_MAX, TASK_LIST_MAX } from '../../src/http/api/schemas';
import { buildServer } from '../../src/http/server';
import { REPORT_MAX_ROWS } from '../../src/services/reports';
import { ServerContext } from '../../src/services/serverContext';
import { startDevServer, type DevServer } from '../../tools/devServer';
import { duty } from '../support/cli';
import { request, type Reply } from '../http/client';

/**
 * Issue 9, denial of service: every request has a bounded cost. The HTTP part runs against a fake Temporal client
 * that counts what is asked of it (a preview needs no Temporal at all), so the bounds are checked without a cluster;
 * the last test runs the real `npm start` and checks that the pages are served by a process of their own.
 */
const PASSWORD = 'test-password-1';
const ADMIN = 'p-admin';
const CADRE = 'p-xhz-cadre1';
const DUTY = 'monthly-data-import';

/** Visibility with endless tasks and a fixed overdue count; `read` is how many rows anyone pulled from it. */
class FakeVisibility {
  read = 0;
  overdueCount = 0;
  counted = 0;

  private async *rows() {
    for (let i = 0; ; i++) {
      this.read += 1;
      yield { workflowId: `task:${DUTY}:2026-01:v-${i}`, status: { name: 'RUNNING' }, typedSearchAttributes: { get: () => undefined }, memo: {} };
    }
  }

  client(): Client {
    return {
      workflow: {
        list: () => this.rows(),
        count: async () => {
          this.counted += 1;
          return { count: this.overdueCount };
        },
      },
    } as unknown as Client;
  }
}

let tmp: string;
let app: FastifyInstance;
let base: string;
const visibility = new FakeVisibility();
const cookies: Record<string, string> = {};

async function call(who: string | undefined, method: string, url: string, o: Parameters<typeof request>[3] = {}): Promise<Reply & { ms: number }> {
  const started = Date.now();
  const reply = await request(base, method, url, { ...o, headers: { ...(who ? { cookie: cookies[who] ?? '' } : {}), ...o.headers } });
  return { ...reply, ms: Date.now() - started };
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-bounded-'));
  const s: Settings = { ...settings(), dataDir: tmp, outboxDir: path.join(tmp, 'outbox') };
  const accounts = accountStore({ kind: 'files', dataDir: tmp }, 4);
  for (const id of [ADMIN, CADRE]) await accounts.setPassword(id, PASSWORD);
  const log = pino({ level: 'silent' });
  app = await buildServer({
    services: new ServerContext(s, visibility.client(), log),
    accounts,
    sessions: sessionStore({ kind: 'files', dataDir: tmp }),
    log,
    options: { secureCookies: false, loginRateLimit: { max: 100, timeWindowMs: 60_000 } },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  for (const id of [ADMIN, CADRE]) {
    const res = await request(base, 'POST', '/api/login', { json: { personId: id, password: PASSWORD } });
    expect(res.status).toBe(200);
    cookies[id] = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  }
});

afterAll(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('date ranges: at most three years, the same rule for API, page and CLI', () => {
  test('the finding: a cadre previewing 2026–2526 gets a quick 400 in Chinese naming `to`', async () => {
    const reply = await call(CADRE, 'GET', `/api/duties/${DUTY}/preview?from=2026-01-01&to=2526-12-31`);
    expect(reply.status).toBe(400);
    expect(reply.json().issues).toEqual([{ field: 'query.to', message: expect.stringContaining('最长 3 年') }]);
    expect(reply.json().issues[0].message).toContain('to 最晚为 2028-12-31');
    // Refused before any calendar work: the unbounded one took 9.7 s.
    expect(reply.ms).toBeLessThan(1_000);
  });

  test('three years to the day is allowed and complete; one day more is not', async () => {
    const ok = await call(CADRE, 'GET', `/api/duties/${DUTY}/preview?from=2026-01-01&to=2028-12-31`);
    expect(ok.status).toBe(200);
    expect(ok.json().map((o: { period: string }) => o.period)).toEqual(
      [2026, 2027, 2028].flatMap((y) => Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`)),
    );
    expect((await call(CADRE, 'GET', `/api/duties/${DUTY}/preview?from=2026-01-01&to=2029-01-01`)).status).toBe(400);
    expect((await call(CADRE, 'GET', `/api/duties/${DUTY}/preview?from=2026-03-15&to=9999-12-31`)).json().issues[0].field).toBe('query.to');
  });

  test('the page preview form and `duty preview` refuse the same range through the service', async () => {
    const page = await call(ADMIN, 'GET', `/duties/${DUTY}?from=2026-01-01&to=2526-12-31`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.text).toContain('to 最晚为 2028-12-31');
    const cli = await duty('preview', DUTY, '--from', '2026-01-01', '--to', '2526-12-31');
    expect(cli.code).not.toBe(0);
    expect(cli.err).toContain('to: 结束日期(to)超出范围');
  });

  test('a backfill has the same bound (it would start one cycle per missed period)', async () => {
    const reply = await call(ADMIN, 'POST', `/api/duties/${DUTY}/backfill`, { json: { from: '2026-01-01', to: '2526-12-31' } });
    expect(reply.status).toBe(400);
    expect(reply.json().issues[0].field).toBe('body.to');
  });
});

describe('bodies: a small limit per route, refused with 413 in Chinese before parsing', () => {
  test('an oversized JSON action is refused, naming the limit', async () => {
    const reply = await call(ADMIN, 'POST', `/api/duties/${DUTY}/pause`, { json: { reason: 'x'.repeat(20_000) } });
    expect(reply.status).toBe(413);
    expect(reply.json().error).toBe('请求体过大,超出本操作允许的大小(最多 16 KB)');
  });

  test('a route that takes no body accepts 1 KB at most', async () => {
    const reply = await call(ADMIN, 'POST', `/api/duties/${DUTY}/trigger`, { json: { padding: 'x'.repeat(2_000) } });
    expect(reply.status).toBe(413);
    expect(reply.json().error).toContain('最多 1 KB');
  });

  test('anonymous: the API login and the login form are small-limit routes too', async () => {
    const api = await call(undefined, 'POST', '/api/login', { json: { personId: ADMIN, password: 'x'.repeat(30_000) } });
    expect(api.status).toBe(413);
    expect(api.json().error).toContain('请求体过大');
    const form = await call(undefined, 'POST', '/login', { form: { personId: ADMIN, password: 'x'.repeat(30_000) }, headers: { accept: 'text/html' } });
    expect(form.status).toBe(413);
    expect(form.text).toContain('请求体过大');
  });
});

describe('page sizes and exports', () => {
  test('an audit page over the cap is refused naming `limit`; a smaller one says how many there are and where to go on', async () => {
    const audit = FileAuditLog.inDataDir(tmp);
    for (let i = 0; i < 3; i++) await audit.record({ actor: ADMIN, via: 'http', action: 'duty.trigger', target: `${DUTY}-${i}` });
    const refused = await call(ADMIN, 'GET', '/api/audit?limit=100000');
    expect(refused.status).toBe(400);
    expect(refused.json().issues).toEqual([{ field: 'query.limit', message: `每页条数(limit)不能超过 ${AUDIT_PAGE_MAX}` }]);
    const page = await call(ADMIN, 'GET', '/api/audit?limit=2');
    expect(page.status).toBe(200);
    expect(page.json().map((e: { target: string }) => e.target)).toEqual([`${DUTY}-2`, `${DUTY}-1`]);
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.headers['x-next-offset']).toBe('2');
    const last = await call(ADMIN, 'GET', '/api/audit?limit=2&offset=2');
    expect(last.json().map((e: { target: string }) => e.target)).toEqual([`${DUTY}-0`]);
    expect(last.headers['x-next-offset']).toBeUndefined();
    const asJson = { headers: { accept: 'application/json' } };
    const fromPage = await call(ADMIN, 'GET', '/audit?limit=2', asJson);
    expect(fromPage.json().map((e: { target: string }) => e.target)).toEqual([`${DUTY}-2`, `${DUTY}-1`]);
    expect(fromPage.headers['x-next-offset']).toBe('2');
    expect((await call(ADMIN, 'GET', '/audit?limit=100000', asJson)).status).toBe(400);
  });

  test('a task listing stops reading one past the cap and says how to narrow it', async () => {
    visibility.read = 0;
    const reply = await call(ADMIN, 'GET', '/api/tasks');
    expect(reply.status).toBe(400);
    expect(reply.json().error).toContain(`超过 ${TASK_LIST_MAX} 项`);
    expect(visibility.read).toBe(TASK_LIST_MAX + 1);
  });

  test('an overdue export over the cap is refused after one COUNT, before anything is listed', async () => {
    visibility.read = 0;
    visibility.overdueCount = REPORT_MAX_ROWS + 1;
    const reply = await call(ADMIN, 'GET', '/api/reports/overdue?format=xlsx&asOf=9999-12-31');
    expect(reply.status).toBe(400);
    expect(reply.json().error).toContain(`上限 ${REPORT_MAX_ROWS} 项`);
    expect(visibility.read).toBe(0);
  });
});

describe('npm start', () => {
  let server: DevServer | undefined;
  let start: ChildProcess | undefined;
  let dir: string;

  afterAll(async () => {
    if (start?.exitCode === null) process.kill(-(start.pid ?? 0), 'SIGKILL');
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  test('serves the pages from a process of its own: they answer while the worker process is frozen, and Ctrl-C stops both', async () => {
    server = await startDevServer({ headless: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'duty-start-'));
    // Its own process group, so a "Ctrl-C" reaches both processes as a terminal's would.
    start = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'start.ts')], {
      cwd: REPO_ROOT,
      detached: true,
      env: { ...process.env, TEMPORAL_ADDRESS: server.address, DUTY_DATA_DIR: dir, DUTY_HTTP_PORT: '0', DUTY_TASK_QUEUE: `start-${process.pid}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    start.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    start.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => start?.once('exit', resolve));
    const deadline = Date.now() + 90_000;
    while (!out.includes('ready') && Date.now() < deadline && start.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain('ready');

    const web = /督办网页与 API:\s+(http:\/\/[\d.:]+)/.exec(out)?.[1] ?? '';
    const [, workerPid, httpPid] = (/worker (\d+),网页与 API (\d+)/.exec(out) ?? []).map(Number);
    expect(workerPid).toBe(start.pid);
    expect(httpPid).toBeGreaterThan(0);
    expect(httpPid).not.toBe(workerPid);
    expect((await request(web, 'GET', '/login')).status).toBe(200);

    // With the worker's process stopped dead, a shared event loop could not answer at all.
    process.kill(workerPid ?? 0, 'SIGSTOP');
    try {
      const started = Date.now();
      expect((await request(web, 'GET', '/login')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      process.kill(workerPid ?? 0, 'SIGCONT');
    }

    process.kill(-(start.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(alive(httpPid ?? 0)).toBe(false);
  }, 150_000);
});
