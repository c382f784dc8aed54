import { DateTime } from 'luxon';
import { previewDuty } from '../../src/calendar';
import { row } from '../../src/report/overdue';
import { ClosedTaskIndex, closedTasksOf } from '../../src/report/closedTasks';
import { auditLog } from '../../src/services/context';
import { dashboardFor, type Dashboard } from '../../src/services/dashboard';
import { OpenTaskIndex, openTasksOf, type OpenTask } from '../../src/services/openTasks';
import { lightsAt } from '../../src/services/lights';
import { ZONE } from '../../src/shared/zone';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { listTasks, type TaskSummary } from '../../src/tasks/query';
import { eventually } from '../support/cli';
import { login, startStack, type Stack } from './stack';
import { REVIEWED, stepEnv, type StepEnv } from './stepFixtures';

/**
 * Reconciliation: the dashboard counts from per-unit count queries, decompositions and the in-memory index of closed
 * tasks; here every figure of every unit is asked of visibility directly, as `temporal workflow count --query` would,
 * after a random mix of completions (some sent for review, then accepted or returned), waivers and extensions on
 * real tasks, some opened long overdue and escalated. The on-time figures and the sums of extensions and returns,
 * which no count can give, are recomputed from a listing of every task.
 */

const MONTHLY = 'monthly-data-import';
const ADMIN = { role: 'admin', personId: 'p-admin' } as const;
const SUPERVISORS: Record<string, string> = { 't-sijihong': 'p-sjh-sup', 't-qionghu': 'p-qh-sup', 't-yanzhihu': 'p-yzh-sup', 't-nandashan': 'p-nds-sup', 't-caowei': 'p-cw-sup' };
const PEOPLE = ['p-admin', 'p-lead-zhang', 'p-lead-li', ...Object.values(SUPERVISORS)];

let env: StepEnv;
let stack: Stack;
const cookies: Record<string, string> = {};
/** What each task should end as, once visibility has caught up. */
const expected = new Map<string, { status: 'open' | 'review' | 'done' | 'waived'; flag?: 'extended' | 'returned' }>();

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function post(who: string, url: string, body: unknown): Promise<void> {
  const res = await fetch(`${stack.baseUrl}${url}`, { method: 'POST', headers: { cookie: cookies[who] ?? '', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${who} POST ${url}: ${res.status} ${await res.text()}`);
}

const today = () => DateTime.now().setZone(ZONE).toISODate() ?? '';

/** Past periods (deadline over a day ago) and the next ones, of each duty, read from the catalog and calendar in use. */
async function periods(): Promise<[string, string[]][]> {
  const cal = loadWorkCalendar();
  const { duties } = await loadCatalog(env.catalogDir);
  const now = DateTime.now().setZone(ZONE);
  const around = (dutyId: string, months: number, past: number, ahead: number): [string, string[]] => {
    const duty = duties.find((d) => d.id === dutyId);
    if (!duty) throw new Error(`${dutyId} is not in the catalog`);
    const all = previewDuty(duty, now.minus({ months }).toISODate() ?? '', now.plus({ months }).toISODate() ?? '', cal);
    const before = all.filter((o) => Date.parse(o.dueAt) < now.minus({ days: 1 }).toMillis()).slice(-past);
    const after = all.filter((o) => Date.parse(o.dueAt) > now.plus({ minutes: 15 }).toMillis()).slice(0, ahead);
    return [dutyId, [...before, ...after].map((o) => o.period)];
  };
  return [around(MONTHLY, 5, 4, 2), around(REVIEWED, 9, 2, 2)];
}

/** A working day at least 10 days after both today and the task's deadline: a valid extension. */
function extensionDay(task: TaskSummary): string {
  const cal = loadWorkCalendar();
  let d = DateTime.max(DateTime.now().setZone(ZONE), DateTime.fromJSDate(task.dueAt, { zone: ZONE })).plus({ days: 10 });
  while (!cal.isWorkday(d.toISODate() ?? '')) d = d.plus({ days: 1 });
  return d.toISODate() ?? '';
}

function supervisorOf(unitId: string): string {
  const township = stack.tree.township(unitId)?.id;
  return township ? (SUPERVISORS[township] ?? 'p-lead-zhang') : (stack.tree.unit(unitId).supervisors[0] ?? 'p-lead-zhang');
}

/** Completions (a reviewed duty's then accepted, returned or left waiting), waivers and approved extensions. */
async function randomSteps(tasks: TaskSummary[]): Promise<void> {
  const next = random(20261203);
  // Reviewed completions take turns: accepted, returned, left waiting.
  let reviewed = 0;
  for (const t of tasks.sort((a, b) => a.taskId.localeCompare(b.taskId))) {
    const url = `/api/tasks/${encodeURIComponent(t.taskId)}`;
    const withReview = t.dutyId === REVIEWED;
    const r = next();
    // The disclosure date must lie in the period already begun: a period still ahead cannot be completed yet.
    const completable = !withReview || t.period <= DateTime.now().setZone(ZONE).toFormat("yyyy-'Q'q");
    if (r < 0.35 && completable) {
      await post('p-admin', `${url}/complete`, { fields: withReview ? { disclosedOn: today() } : { recordsImported: 120 } });
      if (!withReview) expected.set(t.taskId, { status: 'done' });
      else {
        const decision = reviewed++ % 3;
        if (decision === 0) await post(supervisorOf(t.unit), `${url}/review`, { accept: true });
        if (decision === 1) await post(supervisorOf(t.unit), `${url}/review`, { accept: false, reason: '材料不全,请补充' });
        expected.set(t.taskId, decision === 0 ? { status: 'done' } : decision === 1 ? { status: 'open', flag: 'returned' } : { status: 'review' });
      }
    } else if (r < 0.5) {
      await post('p-admin', `${url}/waive`, { reason: '测试免除' });
      expected.set(t.taskId, { status: 'waived' });
    } else if (r < 0.6) {
      await post('p-admin', `${url}/extension`, { dueOn: extensionDay(t), reason: '需要更多时间' });
      await post(supervisorOf(t.unit), `${url}/extension/decision`, { approve: true });
      expected.set(t.taskId, { status: 'open', flag: 'extended' });
    } else {
      expected.set(t.taskId, { status: 'open' });
    }
  }
}

const settled = (tasks: TaskSummary[]) =>
  tasks.length === expected.size &&
  tasks.every((t) => {
    const want = expected.get(t.taskId);
    const status = t.status === 'overdue' ? 'open' : t.status;
    return want !== undefined && status === want.status && (!want.flag || t.flags.includes(want.flag));
  });

beforeAll(async () => {
  env = stepEnv();
  stack = await startStack({ people: PEOPLE, catalogDir: env.catalogDir });
  for (const [dutyId, list] of await periods()) for (const period of list) await stack.openPeriod(dutyId, period);
  for (const p of PEOPLE) cookies[p] = await login(stack.baseUrl, p);
  // A first dashboard reads the closed tasks (none yet) into the index; what closes below reaches it by catching up.
  await dashboardFor(stack.services, ADMIN);
  await randomSteps(await listTasks(stack.client, {}));
  await eventually(() => listTasks(stack.client, {}), settled, 60_000);
  const closed = [...expected.values()].filter((e) => e.status === 'done' || e.status === 'waived').length;
  await eventually(async () => (await stack.client.workflow.count("WorkflowType = 'dutyTask' AND ExecutionStatus != 'Running'")).count, (n) => n === closed, 60_000);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  env?.restore();
});

const count = async (query: string) => (await stack.client.workflow.count(query)).count;

test('the mix has every kind of task in it', () => {
  const kinds = new Set([...expected.values()].map((e) => `${e.status}${e.flag ? `/${e.flag}` : ''}`));
  expect([...kinds].sort()).toEqual(['done', 'open', 'open/extended', 'open/returned', 'review', 'waived']);
});

test.each([
  ['the index of open tasks', false],
  ['count queries alone', true],
])('per unit, the dashboard from %s equals count queries, and on-time, extensions and returns a listing', async (_, countsOnly) => {
  const now = new Date();
  await openTasksOf(stack.client, await auditLog(stack.services)).ready();
  const d = await dashboardFor(stack.services, ADMIN, { now, countsOnly });
  const green = lightsAt(stack.services, now).greenFrom.toISOString();
  const from = d.window.from ? DateTime.fromISO(d.window.from, { zone: ZONE }).toJSDate().toISOString() : '';
  const at = now.toISOString();
  const all = await listTasks(stack.client, {});
  const inWindow = (t: TaskSummary) => t.dueAt.toISOString() >= from && t.dueAt < now;
  const expectedByUnit: Record<string, number[]> = {};
  const shownByUnit: Record<string, number[]> = {};
  for (const unit of stack.tree.roster.units.map((u) => u.id)) {
    const q = (rest: string) => count(`WorkflowType = 'dutyTask' AND DutyUnit = '${unit}' AND ${rest}`);
    const mine = all.filter((t) => t.unit === unit);
    const summed = mine.filter((t) => t.status === 'open' || t.status === 'overdue' || t.status === 'review' || inWindow(t));
    const want = [
      await q(`DutyStatus IN ('open', 'overdue') AND DutyDueAt < '${at}'`),
      await q(`DutyDueAt >= '${from}' AND DutyDueAt < '${at}' AND DutyStatus != 'waived'`),
      mine.filter((t) => t.status === 'done' && inWindow(t) && (t.completedAt ?? now) <= t.dueAt).length,
      await q(`DutyStatus = 'review'`),
      summed.reduce((n, t) => n + t.extensions, 0),
      summed.reduce((n, t) => n + t.returns, 0),
      await q(`DutyStatus = 'open' AND DutyDueAt >= '${at}' AND DutyDueAt < '${green}' AND DutyFlags != 'extended'`),
      await q(`DutyStatus = 'open' AND DutyDueAt >= '${green}' AND DutyFlags != 'extended'`),
    ];
    expectedByUnit[unit] = want;
    const r = d.ranking.find((x) => x.unitId === unit);
    // A unit with nothing to rank has no row; its green tasks count in the total only.
    shownByUnit[unit] = r ? [r.overdue, r.due, r.onTime, r.review, r.extensions, r.returns, r.yellow, r.green] : [0, 0, 0, 0, 0, 0, 0, want[7] ?? 0];
  }
  expect(shownByUnit).toEqual(expectedByUnit);
  // Nothing is counted twice or lost on the way to the totals and the township groups.
  const county = (rest: string) => count(`WorkflowType = 'dutyTask' AND ${rest}`);
  const overdue = `DutyStatus IN ('open', 'overdue') AND DutyDueAt < '${at}'`;
  expect(d.lights).toMatchObject({
    red: await county(overdue),
    yellow: await county(`DutyStatus = 'open' AND DutyDueAt >= '${at}' AND DutyDueAt < '${green}' AND DutyFlags != 'extended'`),
    green: await county(`DutyStatus = 'open' AND DutyDueAt >= '${green}' AND DutyFlags != 'extended'`),
  });
  for (const g of d.report.groups) {
    const units = g.townshipId === 'departments' ? stack.tree.roster.units.filter((u) => u.kind === 'department').map((u) => `'${u.id}'`) : [];
    expect(g.count).toBe(await county(`${overdue} AND ${units.length ? `DutyUnit IN (${units.join(', ')})` : `DutyTownship = '${g.townshipId}'`}`));
  }
  expect(d.report.total).toBe(d.lights.red);
  const rows = all.filter((t) => (t.status === 'open' || t.status === 'overdue') && t.dueAt < now).map((t) => row(t, stack.tree, now));
  expect(d.overdue).toEqual({ longestDays: Math.max(0, ...rows.map((r) => r.daysOverdue)), escalatedTwoPlus: await county(`${overdue} AND DutyEscalationLevel >= 2`) });
  expect(d.overdue.longestDays).toBeGreaterThan(30);
  // Each week of the trend as its own count.
  for (const p of d.trend.slice(0, -1)) {
    const t = DateTime.fromISO(p.at, { zone: ZONE }).plus({ days: 1 }).startOf('day').minus({ milliseconds: 1 }).toJSDate().toISOString();
    expect(p.count).toBe(await county(`DutyDueAt < '${t}' AND ((ExecutionStatus = 'Running' AND DutyStatus IN ('open', 'overdue')) OR (ExecutionStatus != 'Running' AND CloseTime > '${t}'))`));
  }
  expect(d.trend.at(-1)?.count).toBe(d.lights.red);
});

test('one township’s dashboard counts its units as the county’s does; a drill-down lists exactly the unit’s overdue rows', async () => {
  const now = new Date();
  const [county, township, drilled] = await Promise.all([
    dashboardFor(stack.services, ADMIN, { now }),
    dashboardFor(stack.services, { role: 'supervisor', personId: 'p-cw-sup' }, { now }),
    dashboardFor(stack.services, ADMIN, { now, unitId: 'dept-edu' }),
  ]);
  const inCaowei = (id: string) => stack.tree.isInSubtree(id, 't-caowei');
  const pick = (d: Dashboard) => d.ranking.filter((r) => inCaowei(r.unitId));
  expect(township.ranking.every((r) => inCaowei(r.unitId))).toBe(true);
  expect(pick(township)).toEqual(pick(county));
  const unit = drilled.report.groups.flatMap((g) => g.units).find((u) => u.unitId === 'dept-edu');
  const listed = (await listTasks(stack.client, { unit: 'dept-edu', statuses: ['open', 'overdue'], dueBefore: now })).map((t) => t.taskId);
  expect(unit?.tasks.map((t) => t.taskId).sort()).toEqual(listed.sort());
  expect(unit?.count).toBe(listed.length);
  expect(county.report.groups.flatMap((g) => g.units).every((u) => u.tasks.length === 0)).toBe(true);
});

test('the index of open tasks, caught up step by step, equals one rebuilt from Temporal alone', async () => {
  const key = (ts: OpenTask[] | undefined) => (ts ?? []).map((t) => `${t.taskId} ${t.runId} ${t.status} ${t.dueAt.toISOString()} ${t.flags.join(',')} ${t.extensions} ${t.returns}`).sort();
  const caughtUp = await openTasksOf(stack.client, await auditLog(stack.services)).current();
  const fresh = new OpenTaskIndex(stack.client, await auditLog(stack.services));
  await fresh.ready();
  expect(key(caughtUp)).toEqual(key(await fresh.current()));
  expect(caughtUp?.length).toBe([...expected.values()].filter((e) => e.status === 'open' || e.status === 'review').length);
});

test('the index of closed tasks, caught up step by step, equals one rebuilt from Temporal alone', async () => {
  const from = DateTime.now().setZone(ZONE).minus({ days: 90 }).startOf('day').toJSDate();
  const key = (ts: { runId: string; taskId: string; status: string; completedAt?: Date }[]) => ts.map((t) => `${t.taskId} ${t.runId} ${t.status} ${t.completedAt?.toISOString() ?? ''}`).sort();
  const caughtUp = await closedTasksOf(stack.client).covering(from);
  const rebuilt = await new ClosedTaskIndex(stack.client).covering(from);
  expect(key(caughtUp)).toEqual(key(rebuilt));
  expect(rebuilt.length).toBeGreaterThan(0);
});
