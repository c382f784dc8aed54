import { Workbook } from 'exceljs';
import type { AuditEntry } from '../../src/audit/log';
import { feedTokens } from '../../src/feeds/tokens';
import { dashboardFor } from '../../src/services/dashboard';
import type { TaskSummary } from '../../src/tasks/query';
import { duty, eventually } from '../support/cli';
import { login, startStack, type Stack } from './stack';

const PEOPLE = ['p-admin', 'p-lead-zhang', 'p-qh-sup', 'p-cw-sup', 'p-xhz-cadre1', 'p-tj-cadre1'];
const Q3 = 'three-assets-disclosure';
const task = (unit: string) => `task:${Q3}:2026-Q3:${unit}`;

let stack: Stack;
const cookies: Record<string, string> = {};

async function call(who: string | undefined, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.baseUrl}${url}`, {
    method,
    headers: { ...(who ? { cookie: cookies[who] ?? '' } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = res.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await res.json() : await res.arrayBuffer();
  return { status: res.status, type, body: payload };
}

beforeAll(async () => {
  stack = await startStack({ people: PEOPLE });
  await stack.openPeriod(Q3, '2026-Q3');
  await stack.openPeriod('monthly-data-import', '2026-10');
  for (const p of PEOPLE) cookies[p] = await login(stack.baseUrl, p);
  process.env.DUTY_DATA_DIR = stack.settings.dataDir;
}, 90_000);

afterAll(async () => {
  delete process.env.DUTY_DATA_DIR;
  await stack?.stop();
});

test('anonymous calls and unknown tokens get 401', async () => {
  expect((await call(undefined, 'GET', '/api/tasks')).status).toBe(401);
  expect((await call(undefined, 'GET', '/api/tasks', undefined, { authorization: 'Bearer dt_abc_def' })).status).toBe(401);
});

test('a cadre sees only their own unit; another village’s task is as absent as a task that does not exist', async () => {
  const mine = (await call('p-xhz-cadre1', 'GET', '/api/tasks')).body as TaskSummary[];
  expect(mine.map((t) => t.taskId)).toEqual([task('v-xiaohezui')]);
  const other = await call('p-xhz-cadre1', 'GET', `/api/tasks/${encodeURIComponent(task('v-tuanjie'))}`);
  const missing = await call('p-xhz-cadre1', 'GET', `/api/tasks/${encodeURIComponent(task('v-nowhere'))}`);
  expect([other.status, missing.status]).toEqual([404, 404]);
  expect(other.body).toEqual({ error: `找不到任务: ${task('v-tuanjie')}` });
  expect(missing.body).toEqual({ error: `找不到任务: ${task('v-nowhere')}` });
  expect((await call('p-xhz-cadre1', 'GET', '/api/reports/overdue')).status).toBe(403);
  expect((await call('p-xhz-cadre1', 'POST', `/api/duties/${Q3}/pause`, { reason: '试试' })).status).toBe(403);
});

test('a township supervisor sees and acts only within the township', async () => {
  const seen = (await call('p-qh-sup', 'GET', `/api/tasks?duty=${Q3}`)).body as TaskSummary[];
  expect(seen.map((t) => t.unit).sort()).toEqual(['v-tuanjie', 'v-xiaohezui']);
  const outside = await call('p-qh-sup', 'GET', '/api/tasks?unit=t-caowei');
  const unknown = await call('p-qh-sup', 'GET', '/api/tasks?unit=t-nowhere');
  expect([outside.status, unknown.status]).toEqual([404, 404]);
  expect(outside.body).toEqual({ error: '找不到单位: t-caowei' });
  expect(unknown.body).toEqual({ error: '找不到单位: t-nowhere' });
  // Completing another township's task is refused as "not found" and changes nothing.
  const foreign = await call('p-qh-sup', 'POST', `/api/tasks/${encodeURIComponent(task('v-shengli'))}/complete`, { fields: { disclosedOn: '2026-09-28' } });
  expect(foreign.status).toBe(404);
  // Inside the township the task is visible, but a supervisor is not among those who may complete it.
  const inside = await call('p-qh-sup', 'POST', `/api/tasks/${encodeURIComponent(task('v-tuanjie'))}/complete`, { fields: { disclosedOn: '2026-09-28' } });
  expect(inside.status).toBe(403);
  expect((await call('p-qh-sup', 'POST', `/api/tasks/${encodeURIComponent(task('v-tuanjie'))}/waive`, { reason: 'x' })).status).toBe(403);
  const report = (await call('p-qh-sup', 'GET', '/api/reports/overdue')).body as { scope: { unitId: string }; groups: { townshipId: string }[] };
  expect(report.scope.unitId).toBe('t-qionghu');
  expect(report.groups.map((g) => g.townshipId)).toEqual(['t-qionghu']);
  expect((await call('p-admin', 'GET', `/api/tasks/${encodeURIComponent(task('v-shengli'))}`)).body).toMatchObject({ status: expect.stringMatching(/open|overdue/) });
});

test('lists, pages and reports filter by 督办 flag; no task here has been extended', async () => {
  expect(await call('p-admin', 'GET', '/api/tasks?flag=extended')).toMatchObject({ status: 200, body: [] });
  expect(await call('p-admin', 'GET', '/api/reports/overdue?flag=extended')).toMatchObject({ status: 200, body: { total: 0 } });
  const text = async (who: string, url: string) => {
    const res = await call(who, 'GET', url);
    return { status: res.status, html: Buffer.from(res.body as ArrayBuffer).toString('utf8') };
  };
  const my = await text('p-xhz-cadre1', '/my?flag=extended');
  expect(my.status).toBe(200);
  expect(my.html).toContain('没有符合条件的待办任务。');
  expect(my.html).toContain('<option value="extended" selected>延期中</option>');
  const overdue = await text('p-admin', '/overdue?flag=returned');
  expect(overdue.status).toBe(200);
  expect(overdue.html).toContain('/api/reports/overdue?format=xlsx&amp;flag=returned');
  expect((await text('p-admin', '/overdue?flag=nope')).status).toBe(400);
});

test('input is validated with Chinese messages that name the field', async () => {
  const badStatus = await call('p-admin', 'GET', '/api/tasks?status=late');
  expect(badStatus).toMatchObject({ status: 400, body: { issues: [{ field: 'query.status', message: '状态必须是 open / overdue / review / done / waived 之一' }] } });
  const badFlag = await call('p-admin', 'GET', '/api/tasks?flag=late');
  expect(badFlag).toMatchObject({ status: 400, body: { issues: [{ field: 'query.flag', message: '督办标记(flag)必须是 unacknowledged / progress / extensionRequested / extended / returned / suspended 之一' }] } });
  const badReportFlag = await call('p-admin', 'GET', '/api/reports/overdue?flag=late');
  expect(badReportFlag).toMatchObject({ status: 400, body: { issues: [{ field: 'query.flag' }] } });
  const badRange = await call('p-admin', 'GET', `/api/duties/${Q3}/preview?from=2026-12-01&to=2026-01-01`);
  expect(badRange).toMatchObject({ status: 400, body: { issues: [{ field: 'query.from', message: '开始日期(from)不能晚于结束日期(to)' }] } });
  const badDate = await call('p-admin', 'GET', `/api/duties/${Q3}/preview?from=2026-02-30&to=2026-03-01`);
  expect(badDate.body).toMatchObject({ issues: [{ field: 'query.from', message: '日期必须是有效的 YYYY-MM-DD' }] });
  const extra = await call('p-xhz-cadre1', 'POST', `/api/tasks/${encodeURIComponent(task('v-xiaohezui'))}/complete`, { fields: {}, by: 'p-admin' });
  expect(extra).toMatchObject({ status: 400, body: { issues: [{ field: 'body.by', message: '未知字段' }] } });
  const emptyReason = await call('p-admin', 'POST', `/api/duties/${Q3}/pause`, { reason: '  ' });
  expect(emptyReason).toMatchObject({ status: 400, body: { issues: [{ field: 'body.reason', message: '原因(reason)不能为空' }] } });
  // The figures are judged by the task workflow itself, field by field.
  const figures = await call('p-xhz-cadre1', 'POST', `/api/tasks/${encodeURIComponent(task('v-xiaohezui'))}/complete`, { fields: { disclosedOn: '2026-13-45' } });
  expect(figures).toMatchObject({ status: 422, body: { issues: [{ field: 'fields.disclosedOn', message: expect.stringContaining('公开日期') }] } });
  expect(JSON.stringify(figures.body)).toContain('必须是 YYYY-MM-DD 日期');
});

test('a completion, a pause, a resume and a trigger are audited; the audit is filtered by unit, date and jurisdiction', async () => {
  const done = await call('p-xhz-cadre1', 'POST', `/api/tasks/${encodeURIComponent(task('v-xiaohezui'))}/complete`, { fields: { disclosedOn: '2026-09-28' }, note: '已在公开栏张贴' });
  expect(done).toMatchObject({ status: 200, body: { status: 'done', completion: { by: 'p-xhz-cadre1' } } });
  expect((await call('p-admin', 'POST', `/api/duties/${Q3}/pause`, { reason: '系统演练' })).status).toBe(200);
  const duties = (await call('p-admin', 'GET', '/api/duties')).body as { dutyId: string; state: string; note?: string }[];
  expect(duties.find((d) => d.dutyId === Q3)).toMatchObject({ state: 'paused', note: '暂停原因: 系统演练' });
  expect((await call('p-admin', 'POST', `/api/duties/${Q3}/resume`)).status).toBe(200);
  expect((await call('p-admin', 'POST', '/api/duties/micro-credit-overdue-check/trigger')).status).toBe(200);
  const waived = await call('p-admin', 'POST', `/api/tasks/${encodeURIComponent(task('v-shengli'))}/waive`, { reason: '村委换届' });
  expect(waived).toMatchObject({ status: 200, body: { status: 'waived' } });

  const all = (await call('p-admin', 'GET', '/api/audit')).body as AuditEntry[];
  expect(all.map((e) => e.action)).toEqual(expect.arrayContaining(['task.complete', 'duty.pause', 'duty.resume', 'duty.trigger', 'task.waive', 'catalog.apply']));
  const completion = all.find((e) => e.action === 'task.complete');
  expect(completion).toMatchObject({ actor: 'p-xhz-cadre1', via: 'http', target: task('v-xiaohezui'), unitId: 'v-xiaohezui', detail: { fields: { disclosedOn: '2026-09-28' } } });
  expect(JSON.stringify(completion)).not.toContain('公开栏'); // free text stays in the task record, not the audit

  const village = (await call('p-admin', 'GET', '/api/audit?unit=t-qionghu')).body as AuditEntry[];
  expect(village.map((e) => e.action)).toEqual(['task.complete']);
  const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
  expect((await call('p-admin', 'GET', `/api/audit?from=${tomorrow}`)).body).toEqual([]);
  // GET /audit answers JSON to a client that asks for it.
  expect((await call('p-admin', 'GET', '/audit?unit=v-xiaohezui', undefined, { accept: 'application/json' })).body).toHaveLength(1);
  // Another township's supervisor sees neither the entry nor, by asking, that the unit has any.
  const caowei = (await call('p-cw-sup', 'GET', '/api/audit')).body as AuditEntry[];
  expect(caowei.map((e) => e.target)).toEqual([task('v-shengli')]);
  expect((await call('p-cw-sup', 'GET', '/api/audit?unit=t-qionghu')).status).toBe(404);

  // `duty audit` reads the same trail.
  const cli = await duty('audit', '--unit', 'v-xiaohezui');
  expect(cli.code).toBe(0);
  expect(cli.out).toContain('完成任务');
  expect(cli.out).toContain(task('v-xiaohezui'));
  expect(cli.out).not.toContain('暂停职责');
});

test('the dashboard ranks units by overdue count and on-time rate and counts overdue tasks week by week', async () => {
  // After the test above, 小河咀村's Q3 task was completed late (today, after its deadline) and 团结村's is open.
  await stack.openPeriod(Q3, '2026-Q4');
  const q4 = `task:${Q3}:2026-Q4:v-xiaohezui`;
  expect((await call('p-xhz-cadre1', 'POST', `/api/tasks/${encodeURIComponent(q4)}/complete`, { fields: { disclosedOn: '2026-12-01' } })).status).toBe(200);
  // Seen from early January, when the Q4 deadline has passed: 小河咀村 met it, 团结村 did not. (The duty filter leaves
  // out the township's own task opened by the trigger above.)
  // Visibility catches up with the completion within moments, and the trend's counts run side by side, so one of them
  // may still see the task open. Poll until the listing shows the completion and the last two trend points agree (no
  // deadline falls between them, so a consistent view must count the same).
  const d = await eventually(
    () => dashboardFor(stack.services, { role: 'supervisor', personId: 'p-qh-sup' }, { dutyId: Q3, now: new Date('2027-01-05T12:00:00+08:00'), windowDays: 120 }),
    (view) => view.ranking.some((r) => r.unitId === 'v-xiaohezui' && r.onTime === 1) && view.trend.at(-1)?.count === view.trend.at(-2)?.count,
  );
  expect(d.report.scope).toEqual({ unitId: 't-qionghu', unitName: '琼湖街道' });
  expect(d.ranking.map((r) => [r.unitId, r.overdue, r.due, r.onTime, r.onTimeRate])).toEqual([
    ['v-tuanjie', 2, 2, 0, 0],
    ['v-xiaohezui', 0, 2, 1, 0.5],
  ]);
  const at = Object.fromEntries(d.trend.map((p) => [p.at, p.count]));
  expect(at).toMatchObject({ '2026-12-27': 1, '2027-01-03': 2, '2027-01-05': 2 });
  // The cached dashboard behind the page is refreshed by any audited change.
  // Right after a change the dashboard is recomputed on every load (visibility may still trail); then it is shared.
  const viewer = { role: 'supervisor', personId: 'p-qh-sup' } as const;
  const cached = async () => {
    const first = await stack.services.dashboards.get(viewer, {});
    return (await stack.services.dashboards.get(viewer, {})) === first ? first : undefined;
  };
  const before = await eventually(cached, Boolean, 15_000);
  if (!before) throw new Error('dashboard never cached');
  expect((await call('p-tj-cadre1', 'POST', `/api/tasks/${encodeURIComponent(task('v-tuanjie'))}/complete`, { fields: { disclosedOn: '2026-10-08' } })).status).toBe(200);
  const after = await eventually(
    () => stack.services.dashboards.get({ role: 'supervisor', personId: 'p-qh-sup' }, {}),
    (view) => view.report.total !== before.report.total,
  );
  expect(after.report.total).toBe(before.report.total - 1);
});

test('the overdue report downloads as XLSX and CSV; bearer tokens work until revoked', async () => {
  const { id, token } = await stack.accounts.createToken('p-lead-zhang', 'test');
  const auth = { authorization: `Bearer ${token}` };
  const xlsx = await call(undefined, 'GET', '/api/reports/overdue?format=xlsx', undefined, auth);
  expect(xlsx.type).toContain('spreadsheetml');
  const wb = new Workbook();
  await wb.xlsx.load(xlsx.body as ArrayBuffer);
  expect(wb.worksheets[0]?.name).toBe('汇总');
  expect(wb.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['草尾镇', '市直行业部门']));
  const csv = await call(undefined, 'GET', '/api/reports/overdue?format=csv&unit=dept-water', undefined, auth);
  expect(Buffer.from(csv.body as ArrayBuffer).toString('utf8')).toContain('task:monthly-data-import:2026-10:dept-water');
  await stack.accounts.revokeToken(id);
  expect((await call(undefined, 'GET', '/api/tasks', undefined, auth)).status).toBe(401);
});

test('a cookie-authenticated post from another origin is refused', async () => {
  const res = await call('p-admin', 'POST', `/api/duties/${Q3}/trigger`, undefined, { origin: 'http://evil.example' });
  expect(res.status).toBe(403);
  await eventually(async () => (await call('p-admin', 'GET', '/api/audit?action=duty.trigger')).body as unknown[], (e) => e.length === 1);
});

test('the calendar feed plugin is served without a session, on its own token, and listed in the API document', async () => {
  const token = await feedTokens({ kind: 'files', dataDir: stack.settings.dataDir }).create('p-tj-cadre1');
  const feed = await fetch(`${stack.baseUrl}/feeds/${token}.ics`);
  expect(feed.status).toBe(200);
  expect(feed.headers.get('content-type')).toContain('text/calendar');
  expect(await feed.text()).toContain('BEGIN:VCALENDAR');
  expect((await fetch(`${stack.baseUrl}/feeds/${'x'.repeat(43)}.ics`)).status).toBe(404);
  const doc = (await call(undefined, 'GET', '/openapi.json')).body as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toContain('/feeds/{token}.ics');
});
