import type { Connection } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { previewDuty } from '../../src/calendar';
import { settings } from '../../src/config';
import { dashboardFor } from '../../src/services/dashboard';
import type { Light } from '../../src/shared/taskStates';
import { ZONE } from '../../src/shared/zone';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { loadWorkCalendar } from '../../src/sources/holidays';
import type { TaskSummary } from '../../src/tasks/query';
import { duty, eventually } from '../support/cli';
import { login, startStack, type Stack } from './stack';

/**
 * Traffic lights (红黄绿灯) end to end: the API, 我的任务, the task page, 逾期督办, the CLI list and the overdue CSV,
 * against a real Temporal dev server and worker. The monthly import (one task per department, due on the 15th) is
 * opened for a past month (red), the next deadline still ahead (yellow: the yellow threshold is set to exactly its
 * working days left) and the month after (green); one yellow task is completed and one green one waived.
 */

const MONTHLY = 'monthly-data-import';
const DEPARTMENTS = ['dept-civil', 'dept-disabled', 'dept-edu', 'dept-hrss', 'dept-housing', 'dept-medins', 'dept-water'];
const PEOPLE = ['p-admin', 'p-edu-liaison', 'p-water-liaison'];
const id = (period: string, unit: string) => `task:${MONTHLY}:${period}:${unit}`;

interface Periods {
  red: string;
  yellow: string;
  green: string;
  /** Working days after today up to and including the yellow period's deadline, counted here day by day. */
  yellowWithin: number;
}

/** Read from the catalog and the calendar the stack will use, before it starts, so the test means the same any day. */
async function periodsFromToday(): Promise<Periods> {
  const cal = loadWorkCalendar();
  const monthly = (await loadCatalog(settings().catalogDir)).duties.find((d) => d.id === MONTHLY);
  if (!monthly) throw new Error(`${MONTHLY} is not in the default catalog`);
  const now = DateTime.now().setZone(ZONE);
  const occurrences = previewDuty(monthly, now.minus({ months: 3 }).startOf('month').toISODate() ?? '', now.plus({ months: 3 }).toISODate() ?? '', cal);
  // A margin, so that no deadline passes while the test runs.
  const soon = now.plus({ minutes: 15 }).toMillis();
  const past = occurrences.filter((o) => Date.parse(o.dueAt) < now.minus({ days: 1 }).toMillis());
  const ahead = occurrences.filter((o) => Date.parse(o.dueAt) > soon);
  const [red, yellow, green] = [past.at(-1), ahead[0], ahead[1]];
  if (!red || !yellow || !green) throw new Error(`no past and two future periods around ${now.toISODate()}`);
  let yellowWithin = 0;
  for (let d = now.startOf('day').plus({ days: 1 }); (d.toISODate() ?? '') <= yellow.dueOn; d = d.plus({ days: 1 })) {
    if (cal.isWorkday(d.toISODate() ?? '')) yellowWithin += 1;
  }
  return { red: red.period, yellow: yellow.period, green: green.period, yellowWithin };
}

let stack: Stack;
let periods: Periods;
const cookies: Record<string, string> = {};
const previous: Record<string, string | undefined> = {};

function setEnv(vars: Record<string, string>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in previous)) previous[k] = process.env[k];
    process.env[k] = v;
  }
}

async function get(who: string, url: string): Promise<Response> {
  return fetch(`${stack.baseUrl}${url}`, { headers: { cookie: cookies[who] ?? '' } });
}

async function post(who: string, url: string, body: unknown): Promise<number> {
  const res = await fetch(`${stack.baseUrl}${url}`, { method: 'POST', headers: { cookie: cookies[who] ?? '', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

async function lights(): Promise<Map<string, Light>> {
  const tasks = (await (await get('p-admin', `/api/tasks?duty=${MONTHLY}`)).json()) as (TaskSummary & { light: Light })[];
  return new Map(tasks.map((t) => [t.taskId, t.light]));
}

beforeAll(async () => {
  periods = await periodsFromToday();
  // Exactly the yellow period's working days left: the boundary, which is still yellow.
  setEnv({ DUTY_LIGHT_YELLOW_DAYS: String(periods.yellowWithin) });
  stack = await startStack({ people: PEOPLE });
  for (const period of [periods.red, periods.yellow, periods.green]) await stack.openPeriod(MONTHLY, period);
  for (const p of PEOPLE) cookies[p] = await login(stack.baseUrl, p);
  expect(await post('p-water-liaison', `/api/tasks/${encodeURIComponent(id(periods.yellow, 'dept-water'))}/complete`, { fields: { recordsImported: 1200 } })).toBe(200);
  expect(await post('p-admin', `/api/tasks/${encodeURIComponent(id(periods.green, 'dept-civil'))}/waive`, { reason: '本月无数据' })).toBe(200);
  // The CLI builds its own context from the environment, as `duty` does in a shell.
  setEnv({
    TEMPORAL_ADDRESS: (stack.client.connection as Connection).options.address,
    TEMPORAL_NAMESPACE: stack.client.options.namespace,
    DUTY_DATA_DIR: stack.settings.dataDir,
    DUTY_TASK_QUEUE: stack.settings.taskQueue,
  });
  await eventually(lights, (seen) => seen.get(id(periods.yellow, 'dept-water')) === 'done' && seen.get(id(periods.green, 'dept-civil')) === 'waived');
}, 120_000);

afterAll(async () => {
  for (const [k, v] of Object.entries(previous)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.stop();
});

test('the API gives every task its light: red overdue, yellow at exactly N working days, green later, closed marks', async () => {
  const seen = await lights();
  const expected = new Map<string, Light>();
  for (const unit of DEPARTMENTS) {
    expected.set(id(periods.red, unit), 'red');
    expected.set(id(periods.yellow, unit), unit === 'dept-water' ? 'done' : 'yellow');
    expected.set(id(periods.green, unit), unit === 'dept-civil' ? 'waived' : 'green');
  }
  expect(Object.fromEntries([...seen].filter(([taskId]) => expected.has(taskId)))).toEqual(Object.fromEntries(expected));
});

test('我的任务 shows each card’s light as a coloured badge with its word', async () => {
  const html = await (await get('p-edu-liaison', '/my')).text();
  const badgeOf = (taskId: string) => {
    const card = html.slice(html.indexOf(`data-task="${taskId}"`), html.indexOf('</article>', html.indexOf(`data-task="${taskId}"`)));
    return /<span class="badge light light-(\w+)" data-light="\1">([^<]+)<\/span>/.exec(card)?.slice(1);
  };
  expect(badgeOf(id(periods.red, 'dept-edu'))).toEqual(['red', '红灯']);
  expect(badgeOf(id(periods.yellow, 'dept-edu'))).toEqual(['yellow', '黄灯']);
  expect(badgeOf(id(periods.green, 'dept-edu'))).toEqual(['green', '绿灯']);
});

test('the task page shows the light beside the status', async () => {
  const light = async (who: string, taskId: string) => /<dd id="task-light">(.*?)<\/dd>/.exec(await (await get(who, `/tasks/${encodeURIComponent(taskId)}`)).text())?.[1];
  expect(await light('p-edu-liaison', id(periods.yellow, 'dept-edu'))).toBe('<span class="badge light light-yellow" data-light="yellow">黄灯</span>');
  expect(await light('p-admin', id(periods.yellow, 'dept-water'))).toBe('<span class="badge light light-done" data-light="done">已完成</span>');
  expect(await light('p-admin', id(periods.green, 'dept-civil'))).toBe('<span class="badge light light-waived" data-light="waived">已免除</span>');
});

test('the dashboard counts red, yellow and green per unit and for the scope', async () => {
  const d = await dashboardFor(stack.services, { role: 'admin', personId: 'p-admin' }, { dutyId: MONTHLY });
  expect(d.lights).toEqual({ red: 7, yellow: 6, green: 6, yellowWithin: periods.yellowWithin });
  const byUnit = Object.fromEntries(d.ranking.map((r) => [r.unitId, [r.overdue, r.yellow, r.green]]));
  expect(byUnit).toMatchObject({ 'dept-edu': [1, 1, 1], 'dept-water': [1, 0, 1], 'dept-civil': [1, 1, 0] });
  const page = await (await get('p-admin', `/overdue?duty=${MONTHLY}`)).text();
  expect(page).toMatch(/id="yellow-total">6</);
  expect(page).toMatch(/id="green-total">6</);
  expect(page).toContain(`<span class="badge light light-yellow" data-light="yellow">黄灯</span> ${periods.yellowWithin} 个工作日内到期`);
});

test('the CLI list has a 亮灯 column and its JSON a light; the overdue CSV ends with 亮灯', async () => {
  const table = await duty('task', 'list', '--duty', MONTHLY, '--unit', 'dept-edu');
  expect(table).toMatchObject({ code: 0, err: '' });
  expect(table.out).toMatch(/│ 状态 +│ 亮灯 +│/);
  for (const [period, word] of [[periods.red, '红灯'], [periods.yellow, '黄灯'], [periods.green, '绿灯']]) {
    expect(table.out).toMatch(new RegExp(`${id(period ?? '', 'dept-edu')} .*│ ${word} +│`));
  }
  const json = await duty('task', 'list', '--duty', MONTHLY, '--period', periods.yellow, '--json');
  const listed = JSON.parse(json.out) as { taskId: string; light: Light }[];
  expect(listed.map((t) => t.light).sort()).toEqual(['done', 'yellow', 'yellow', 'yellow', 'yellow', 'yellow', 'yellow']);
  const csv = await (await get('p-admin', `/api/reports/overdue?format=csv&duty=${MONTHLY}`)).text();
  const rows = parse(csv, { bom: true }) as string[][];
  expect(rows[0]?.at(-1)).toBe('亮灯');
  expect(rows.slice(1).map((r) => r.at(-1))).toEqual(Array(7).fill('红灯'));
});

test('DUTY_LIGHT_YELLOW_DAYS is a whole number of working days, 0–30, 3 by default', () => {
  expect(settings({}).lightYellowDays).toBe(3);
  expect(settings({ DUTY_LIGHT_YELLOW_DAYS: '0' }).lightYellowDays).toBe(0);
  expect(() => settings({ DUTY_LIGHT_YELLOW_DAYS: '31' })).toThrow('环境变量 DUTY_LIGHT_YELLOW_DAYS 必须是 0–30 的整数,实际为 "31"');
  expect(() => settings({ DUTY_LIGHT_YELLOW_DAYS: '两天' })).toThrow('DUTY_LIGHT_YELLOW_DAYS');
});
