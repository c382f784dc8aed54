import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import { DateTime } from 'luxon';
import { OPERATOR } from '../../src/auth/policy';
import type { RawFieldValue } from '../../src/shared/completion';
import type { UnitScore } from '../../src/report/assessment';
import type { AssessmentReport } from '../../src/report/assessmentReport';
import { assessmentFor } from '../../src/services/assessment';
import { cliActor } from '../../src/services/context';
import { completeTask, findTasks, showTask, type StepCall, waiveTask } from '../../src/services/tasks';
import { decideExtension, requestExtension, reviewTask } from '../../src/services/taskSteps';
import { shanghaiDate, ZONE } from '../../src/shared/zone';
import { login, startStack, type Stack } from '../http/stack';
import { datesAfter, REVIEWED, stepEnv, type StepEnv } from '../http/stepFixtures';
import { duty, eventually } from '../support/cli';

/**
 * The two ways of computing the 考核 agree: a random year of completions, late ones, returns, extensions, waivers
 * and tasks left undone, all taken through the services against a real Temporal dev server and worker, is scored
 * from one visibility listing and again from every task's own record plus the audit trail, and every unit's score,
 * counts and deductions are the same. The CLI, the API (JSON, CSV, the XLSX 通报) and the page then show it.
 */

const IMPORT = 'monthly-data-import';
const now = DateTime.now().setZone(ZONE);
/** A year with deadlines behind it: this one from April, else the last. */
const YEAR = now.minus({ days: 100 }).year;
const MONTHS = YEAR === now.year ? [now.month - 9, now.month - 6, now.month - 3, now.month].filter((m) => m >= 1) : [3, 6, 9, 12];
const SEED = Number(process.env.ASSESSMENT_SEED ?? Date.now() % 100_000);

/** Deterministic for a seed, so a failing run can be repeated with ASSESSMENT_SEED. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

type Plan = 'leave' | 'waive' | 'extend' | 'extendThenComplete' | 'complete' | 'leaveInReview' | 'returnThenAccept' | 'returnWithDateThenAccept' | 'returnAndLeave';
/** Every kind of history at least once, the rest drawn at random. */
const FIRST_PLANS: Plan[] = ['returnWithDateThenAccept', 'leave', 'waive', 'extendThenComplete', 'complete', 'returnThenAccept', 'leaveInReview', 'returnAndLeave', 'extend'];

function draw(random: () => number, reviewed: boolean, pastDue: boolean): Plan {
  const r = random();
  if (r < 0.12) return 'leave';
  if (r < 0.2) return 'waive';
  if (r < 0.32 && pastDue) return random() < 0.6 ? 'extendThenComplete' : 'extend';
  if (!reviewed) return 'complete';
  const s = random();
  return s < 0.1 ? 'leaveInReview' : s < 0.25 ? 'returnThenAccept' : s < 0.4 ? 'returnWithDateThenAccept' : s < 0.45 ? 'returnAndLeave' : 'complete';
}

let env: StepEnv;
let stack: Stack;
const taskIds: string[] = [];
const previous: Record<string, string | undefined> = {};

const call = (taskId: string): StepCall => ({ ctx: stack.services, viewer: OPERATOR, actor: cliActor(), taskId });

async function complete(taskId: string): Promise<void> {
  const s = await showTask(stack.services, OPERATOR, taskId);
  const fields: Record<string, RawFieldValue> = s.dutyId === REVIEWED ? { disclosedOn: shanghaiDate(Date.now()) } : { recordsImported: 120 };
  await completeTask(stack.services, OPERATOR, cliActor(), taskId, { by: s.assignee.personId, fields });
}

async function act(taskId: string, plan: Plan): Promise<void> {
  const s = await showTask(stack.services, OPERATOR, taskId);
  const later = datesAfter(s.dueOn).workdays;
  switch (plan) {
    case 'leave':
      return;
    case 'waive':
      await waiveTask(stack.services, OPERATOR, cliActor(), taskId, { by: 'p-admin', reason: '并入年度专项检查' });
      return;
    case 'extend':
    case 'extendThenComplete':
      await requestExtension(call(taskId), { by: s.assignee.personId, dueOn: later[1], reason: '汛期人手不足' });
      await decideExtension(call(taskId), { by: 'p-admin', approve: true });
      if (plan === 'extendThenComplete') await complete(taskId);
      return;
    default:
      await complete(taskId);
      if (plan === 'complete' || plan === 'leaveInReview' || s.dutyId !== REVIEWED) break;
      await reviewTask(call(taskId), { by: 'p-admin', accept: false, reason: '公开内容不全', ...(plan === 'returnWithDateThenAccept' ? { dueOn: later[0] } : {}) });
      if (plan === 'returnAndLeave') return;
      await complete(taskId);
  }
  if (s.dutyId === REVIEWED && plan !== 'leaveInReview') await reviewTask(call(taskId), { by: 'p-admin', accept: true });
}

async function eachFew<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

beforeAll(async () => {
  env = stepEnv();
  stack = await startStack({ people: ['p-admin', 'p-qh-sup'] });
  const quarters = [1, 2, 3, 4].map((q) => `${YEAR}-Q${q}`);
  const months = MONTHS.map((m) => `${YEAR}-${String(m).padStart(2, '0')}`);
  for (const q of quarters) taskIds.push(...(await stack.openPeriod(REVIEWED, q)));
  for (const m of months) taskIds.push(...(await stack.openPeriod(IMPORT, m)));
  // Tasks opened after their deadline catch up on the follow-ups they missed (overdue, levels) before anyone acts.
  await eventually(
    () => findTasks(stack.services, OPERATOR, {}),
    (tasks) => tasks.length === taskIds.length && tasks.every((t) => t.dueAt.getTime() > Date.now() || (t.status === 'overdue' && t.escalationLevel > 0)),
    60_000,
  );
  const summaries = new Map((await findTasks(stack.services, OPERATOR, {})).map((t) => [t.taskId, t]));
  const pastDue = (id: string) => (summaries.get(id)?.dueAt.getTime() ?? 0) < Date.now();
  // Past-due disclosures take the fixed plans (so each history happens with a review and a lateness), the rest are drawn.
  const fixed = taskIds.filter((id) => id.includes(REVIEWED) && pastDue(id)).slice(0, FIRST_PLANS.length);
  const random = rng(SEED);
  const plans = taskIds.map((id): [string, Plan] => {
    const i = fixed.indexOf(id);
    return [id, FIRST_PLANS[i] ?? draw(random, id.includes(REVIEWED), pastDue(id))];
  });
  await eachFew(plans, ([id, plan]) => act(id, plan));

  const vars = {
    TEMPORAL_ADDRESS: (stack.client.connection as Connection).options.address,
    TEMPORAL_NAMESPACE: stack.client.options.namespace,
    DUTY_DATA_DIR: stack.settings.dataDir,
    DUTY_TASK_QUEUE: stack.settings.taskQueue,
  };
  for (const [k, v] of Object.entries(vars)) [previous[k], process.env[k]] = [process.env[k], v];
}, 300_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(previous)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.stop();
  env?.restore();
});

/** What must be equal from both sources: everything but the events' details, which only the history knows. */
function comparable(report: AssessmentReport) {
  return report.units.map((u: UnitScore) => ({
    unit: u.unitId,
    score: u.score,
    rank: u.rank,
    onTimeRate: u.onTimeRate,
    counts: u.counts,
    deductions: u.deductions.map((d) => `${d.taskId} ${d.kind}${d.level ? ` ${d.level}` : ''} −${d.points}`),
  }));
}

test(`a random year (seed ${SEED}) scores the same from the listing and from the task histories with the audit trail`, async () => {
  const both = async () => Promise.all([assessmentFor(stack.services, OPERATOR, { year: YEAR, source: 'listing' }), assessmentFor(stack.services, OPERATOR, { year: YEAR, source: 'history' })]);
  // The listing follows the tasks a moment later (visibility is eventually consistent).
  const [listing, history] = await eventually(both, ([a, b]) => JSON.stringify(comparable(a)) === JSON.stringify(comparable(b)), 60_000);
  expect(comparable(listing)).toEqual(comparable(history));
  expect(history.unreadable).toEqual([]);

  expect(listing.tasks).toBe(history.tasks);
  const total = (pick: (u: UnitScore) => number) => history.units.reduce((n, u) => n + pick(u), 0);
  // The year held every kind of history.
  expect({ late: total((u) => u.counts.late) > 0, notCompleted: total((u) => u.counts.notCompleted) > 0, onTime: total((u) => u.counts.onTime) > 0, waived: total((u) => u.counts.waived) > 0, review: total((u) => u.counts.review) > 0, levels: total((u) => u.levels) > 0, returns: total((u) => u.returns) > 0 }).toEqual({
    late: true,
    notCompleted: true,
    onTime: true,
    waived: true,
    review: true,
    levels: true,
    returns: true,
  });
  // From the history each point lost names the event of its 经过; a return made through the services, its audit entry.
  const deductions = history.units.flatMap((u) => u.deductions);
  expect(deductions.every((d) => d.event?.index !== undefined && d.event.at !== undefined)).toBe(true);
  expect(deductions.filter((d) => d.kind === 'returned').every((d) => d.event?.audit?.via === 'cli')).toBe(true);
}, 120_000);

test('CLI: the table ranks the units, --detail lists the points lost, XLSX goes to a file, bad input exits 2', async () => {
  const report = await assessmentFor(stack.services, OPERATOR, { year: YEAR });
  const worst = report.units.filter((u) => u.kind === 'village').at(-1) as UnitScore;
  const table = await duty('report', 'assessment', '--year', String(YEAR));
  expect(table).toMatchObject({ code: 0, err: '' });
  expect(table.out).toMatch(new RegExp(`村/社区\\(11 个\\)[\\s\\S]*${worst.unitName}`));
  const detail = await duty('report', 'assessment', '--year', String(YEAR), '--unit', worst.unitId, '--detail', '--source', 'history');
  expect(detail.code).toBe(0);
  expect(detail.out).toContain(`扣分明细(${worst.deductions.length} 项)`);
  expect(detail.out).toContain('经过第');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-assessment-'));
  try {
    const file = path.join(dir, 'tb.xlsx');
    expect(await duty('report', 'assessment', '--year', String(YEAR), '--format', 'xlsx', '--out', file)).toMatchObject({ code: 0, out: expect.stringContaining(file) });
    expect(existsSync(file)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await duty('report', 'assessment', '--year', '20x6')).toMatchObject({ code: 2, err: expect.stringContaining('年度必须是四位数字') });
  expect(await duty('report', 'assessment', '--year', '1999')).toMatchObject({ code: 2, err: expect.stringContaining('年度无效') });
  expect(await duty('report', 'assessment', '--year', String(YEAR), '--source', 'guess')).toMatchObject({ code: 2, err: expect.stringContaining('listing / history') });
});

test('API and page: JSON, CSV and the XLSX 通报; a township supervisor sees only the township; each point links to its task', async () => {
  const admin = await login(stack.baseUrl, 'p-admin');
  const get = (url: string, cookie = admin) => fetch(`${stack.baseUrl}${url}`, { headers: { cookie } });
  const json = (await (await get(`/api/reports/assessment?year=${YEAR}`)).json()) as AssessmentReport;
  expect(json.units).toHaveLength(5 + 11 + 7);

  const csv = await get(`/api/reports/assessment?year=${YEAR}&format=csv`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  const rows = parse((await csv.text()).replace(/^\uFEFF/, '')) as string[][];
  expect(rows).toHaveLength(1 + json.units.length);

  const xlsx = await get(`/api/reports/assessment?year=${YEAR}&format=xlsx`);
  expect(xlsx.headers.get('content-disposition')).toContain(encodeURIComponent(`考核通报-全市-${YEAR}.xlsx`));
  const wb = new Workbook();
  await wb.xlsx.load(await xlsx.arrayBuffer());
  expect(wb.worksheets.map((s) => s.name)).toEqual(['汇总', ...[...new Set(json.units.filter((u) => u.kind !== 'department').map((u) => u.townshipName))].sort((a, b) => a.localeCompare(b, 'zh')), '市直行业部门']);

  const bad = await get(`/api/reports/assessment?year=26&source=guess`);
  expect(bad.status).toBe(400);
  expect(JSON.stringify(await bad.json())).toMatch(/年度\(year\)必须是四位数字[\s\S]*数据来源\(source\)必须是/);

  const sup = await login(stack.baseUrl, 'p-qh-sup');
  const theirs = (await (await get(`/api/reports/assessment?year=${YEAR}`, sup)).json()) as AssessmentReport;
  expect(new Set(theirs.units.map((u) => u.townshipId))).toEqual(new Set(['t-qionghu']));

  const worst = json.units.filter((u) => u.kind === 'village' && u.deductions.length > 0).at(-1) as UnitScore;
  const page = await (await get(`/assessment?year=${YEAR}&unit=${worst.unitId}&source=history`)).text();
  expect(page).toContain('<a href="/assessment" class="on">考核</a>');
  for (const d of worst.deductions) expect(page).toContain(`href="/tasks/${encodeURIComponent(d.taskId)}#events"`);
  expect(page).toMatch(/经过第 \d+ 条/);
  const county = await (await get(`/assessment?year=${YEAR}`, sup)).text();
  expect(county).toContain('id="rank-village"');
  expect(county).not.toContain('data-unit="v-hongxing"');
});
