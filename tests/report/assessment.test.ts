import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import { DateTime } from 'luxon';
import type { AuditEntry } from '../../src/audit/log';
import { DEFAULT_ASSESSMENT } from '../../src/catalog/assessment';
import type { TaskAction, TaskState } from '../../src/contracts/dutyTask';
import { type AssessedTask, fromState, fromSummary, inYear, isRanked, scoreUnits } from '../../src/report/assessment';
import { formatAssessment } from '../../src/report/assessmentFormat';
import { assessTasks } from '../../src/report/assessmentReport';
import { assessmentXlsx } from '../../src/report/assessmentXlsx';
import { OrgTree } from '../../src/roster/orgTree';
import type { AssessmentRules } from '../../src/shared/types';
import { ZONE } from '../../src/shared/zone';
import type { TaskSummary } from '../../src/tasks/query';
import { roster } from '../fixtures/org';

/**
 * The 考核 by hand: tasks written out event by event, each unit's score worked out below from the default rules
 * (100; −2 late, −1 per escalation level, −1 per return, −5 never completed; waived not counted), then read both as
 * the task records them (history source) and as it publishes them to visibility (listing source).
 */

const tree = new OrgTree({
  ...roster,
  units: [...roster.units, { id: 'v-oak', name: '橡村', kind: 'village', parent: 't-east', supervisors: ['p-east-sup'], tags: [] }],
});
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO() ?? '';
const AS_OF = new Date(at('2026-12-01T12:00'));

interface Spec {
  id: string;
  unit: string;
  dueOn: string;
  status: TaskState['status'];
  events: [string, TaskAction, string?][];
  /** The level the task publishes now (0 again after an extension). */
  level?: number;
  completedAt?: string;
  returned?: number;
}

const SYSTEM: TaskAction[] = ['opened', 'overdue', 'escalated'];
const SUPERVISOR: TaskAction[] = ['returned', 'accepted', 'extensionApproved', 'waived'];
const actorOf = (action: TaskAction, assignee: string) => (SYSTEM.includes(action) ? 'system' : SUPERVISOR.includes(action) ? 'p-east-sup' : assignee);

function state(s: Spec): TaskState {
  const dueAt = at(`${s.dueOn}T18:00`);
  const person = s.unit === 'dept-edu' ? 'p-edu' : 'p-pine-1';
  return {
    taskId: `task:${s.id}:${s.unit}`,
    dutyId: s.id.split(':')[0] ?? s.id,
    dutyTitle: '村级月度报表',
    period: s.id.split(':')[1] ?? '',
    assignee: { personId: person, unitId: s.unit },
    status: s.status,
    opensOn: s.dueOn.slice(0, 8) + '01',
    dueOn: s.dueOn,
    dueAt,
    provisional: false,
    escalationLevel: s.level ?? 0,
    deliveries: [],
    events: [[`${s.dueOn.slice(0, 8)}01T08:00`, 'opened'] as [string, TaskAction], ...s.events].map(([t, action, detail]) => ({ at: at(t), actor: actorOf(action, person), action, ...(detail ? { detail } : {}) })),
    ...(s.completedAt ? { completion: { by: person, at: at(s.completedAt), fields: {} } } : {}),
    ...(s.returned ? { returned: Array.from({ length: s.returned }, () => ({ by: person, at: AS_OF.toISOString(), fields: {}, returnedBy: 'p-east-sup', returnedAt: AS_OF.toISOString(), reason: '材料不全' })) } : {}),
  };
}

/** What the task publishes for listings, as the workflow writes it. */
function summary(s: TaskState): TaskSummary {
  return {
    taskId: s.taskId,
    dutyId: s.dutyId,
    dutyTitle: s.dutyTitle,
    period: s.period,
    assignee: s.assignee.personId,
    unit: s.assignee.unitId,
    status: s.status,
    dueOn: s.dueOn,
    dueAt: new Date(s.dueAt),
    escalationLevel: s.escalationLevel,
    provisional: false,
    flags: s.flags ?? [],
    extensions: 0,
    returns: s.returned?.length ?? 0,
    ...(s.status === 'done' && s.completion ? { completedAt: new Date(s.completion.at) } : {}),
  };
}

const SPECS: Spec[] = [
  // 松村 (v-pine)
  // a: done four days late after reaching level 2: −2 −1 −1 = −4
  { id: 'a:2026-03', unit: 'v-pine', dueOn: '2026-03-16', status: 'done', level: 2, completedAt: '2026-03-20T10:00', events: [['2026-03-16T18:00', 'overdue'], ['2026-03-16T18:00', 'escalated', 'level 1'], ['2026-03-19T09:00', 'escalated', 'level 2'], ['2026-03-20T10:00', 'completed']] },
  // b: on time: 0
  { id: 'b:2026-04', unit: 'v-pine', dueOn: '2026-04-15', status: 'done', completedAt: '2026-04-10T09:00', events: [['2026-04-10T09:00', 'completed']] },
  // c: never completed, level 2: −5 −1 −1 = −7
  { id: 'c:2026-05', unit: 'v-pine', dueOn: '2026-05-15', status: 'overdue', level: 2, events: [['2026-05-15T18:00', 'overdue'], ['2026-05-15T18:00', 'escalated', 'level 1'], ['2026-05-20T09:00', 'escalated', 'level 2']] },
  // d: waived after escalating: not counted
  { id: 'd:2026-06', unit: 'v-pine', dueOn: '2026-06-15', status: 'waived', level: 1, events: [['2026-06-15T18:00', 'overdue'], ['2026-06-15T18:00', 'escalated', 'level 1'], ['2026-06-18T10:00', 'waived', '并入专项']] },
  // e: returned once, then accepted, submitted before the deadline: −1
  { id: 'e:2026-06', unit: 'v-pine', dueOn: '2026-06-10', status: 'done', completedAt: '2026-06-05T09:00', returned: 1, events: [['2026-06-01T09:00', 'submitted'], ['2026-06-02T09:00', 'returned', '材料不全'], ['2026-06-05T09:00', 'submitted'], ['2026-06-06T09:00', 'accepted']] },
  // f: overdue and escalated, then extended to the 25th and done on the 20th: the old deadline's escalation no longer counts: 0
  { id: 'f:2026-07', unit: 'v-pine', dueOn: '2026-07-25', status: 'done', level: 0, completedAt: '2026-07-20T09:00', events: [['2026-07-15T18:00', 'overdue'], ['2026-07-15T18:00', 'escalated', 'level 1'], ['2026-07-16T09:00', 'extensionApproved', '截止日 2026-07-15 → 2026-07-25'], ['2026-07-20T09:00', 'completed']] },
  // g: not due yet; h: waiting for review; i: last year's: none counted
  { id: 'g:2026-12', unit: 'v-pine', dueOn: '2026-12-15', status: 'open', events: [] },
  { id: 'h:2026-11', unit: 'v-pine', dueOn: '2026-11-16', status: 'review', events: [['2026-11-10T09:00', 'submitted']] },
  { id: 'i:2025-12', unit: 'v-pine', dueOn: '2025-12-15', status: 'overdue', level: 1, events: [['2025-12-15T18:00', 'overdue'], ['2025-12-15T18:00', 'escalated', 'level 1']] },
  // 教育局 (dept-edu)
  // x: a day late at level 1: −2 −1 = −3
  { id: 'x:2026-02', unit: 'dept-edu', dueOn: '2026-02-16', status: 'done', level: 1, completedAt: '2026-02-17T10:00', events: [['2026-02-16T18:00', 'overdue'], ['2026-02-16T18:00', 'escalated', 'level 1'], ['2026-02-17T10:00', 'completed']] },
  // y: returned with a new deadline (the 31st), resubmitted late against it at level 1: −2 −1 −1 = −4
  { id: 'y:2026-08', unit: 'dept-edu', dueOn: '2026-08-31', status: 'done', level: 1, completedAt: '2026-09-02T09:00', returned: 1, events: [['2026-08-10T09:00', 'submitted'], ['2026-08-12T09:00', 'returned', '数据有误;新的截止日 2026-08-31'], ['2026-08-31T18:00', 'overdue'], ['2026-08-31T18:00', 'escalated', 'level 1'], ['2026-09-02T09:00', 'submitted'], ['2026-09-03T09:00', 'accepted']] },
];

const STATES = SPECS.map(state);
/** The audit trail's entries for e's return and y's late submission, written a second after the workflow's event. */
const AUDIT: AuditEntry[] = [
  { at: new Date(Date.parse(at('2026-06-02T09:00')) + 1000).toISOString(), actor: 'p-east-sup', via: 'http', action: 'task.review', target: 'task:e:2026-06:v-pine', unitId: 'v-pine', detail: { accepted: false } },
  { at: new Date(Date.parse(at('2026-09-02T09:00')) + 1000).toISOString(), actor: 'p-edu', via: 'cli', action: 'task.complete', target: 'task:y:2026-08:dept-edu', unitId: 'dept-edu' },
];

const ranked = tree.roster.units.filter(isRanked);
const score = (tasks: AssessedTask[], rules: AssessmentRules = DEFAULT_ASSESSMENT) =>
  scoreUnits({ tasks: tasks.filter((t) => inYear(t, 2026)), units: ranked, tree, rules, asOf: AS_OF });
const fromHistory = () => STATES.map((s) => fromState(s, AUDIT.filter((e) => e.target === s.taskId)));
const fromListing = () => STATES.map((s) => fromSummary(summary(s)));
const byId = (units: ReturnType<typeof score>) => Object.fromEntries(units.map((u) => [u.unitId, u]));

test('two units worked out by hand: 松村 88 (3 of 5 on time), 教育局 93 (0 of 2), from either source', () => {
  for (const tasks of [fromHistory(), fromListing()]) {
    const u = byId(score(tasks));
    expect(u['v-pine']).toMatchObject({ score: 100 - 4 - 7 - 1, onTimeRate: 3 / 5, levels: 4, returns: 1 });
    expect(u['v-pine']?.counts).toEqual({ onTime: 3, late: 1, notCompleted: 1, waived: 1, suspended: 0, review: 1, notDue: 1 });
    expect(u['dept-edu']).toMatchObject({ score: 100 - 3 - 4, onTimeRate: 0, levels: 2, returns: 1 });
    expect(u['t-east']).toMatchObject({ score: 100, onTimeRate: null, rank: 1 });
    // Villages rank among villages: 橡村 has lost nothing.
    expect([u['v-oak']?.rank, u['v-pine']?.rank]).toEqual([1, 2]);
  }
});

test('every point lost names its task and, from the history, the event of its 经过 and the audit entry', () => {
  const pine = byId(score(fromHistory()))['v-pine'];
  expect(pine?.deductions.map((d) => [d.taskId, d.kind, d.level, d.points, d.event?.index])).toEqual([
    ['task:a:2026-03:v-pine', 'late', undefined, 2, 4],
    ['task:a:2026-03:v-pine', 'escalationLevel', 1, 1, 2],
    ['task:a:2026-03:v-pine', 'escalationLevel', 2, 1, 3],
    ['task:c:2026-05:v-pine', 'notCompleted', undefined, 5, 1],
    ['task:c:2026-05:v-pine', 'escalationLevel', 1, 1, 2],
    ['task:c:2026-05:v-pine', 'escalationLevel', 2, 1, 3],
    ['task:e:2026-06:v-pine', 'returned', undefined, 1, 2],
  ]);
  const returned = pine?.deductions.find((d) => d.kind === 'returned');
  expect(returned?.event).toMatchObject({ action: 'returned', actor: 'p-east-sup', detail: '材料不全', audit: { actor: 'p-east-sup', via: 'http' } });
  const edu = byId(score(fromHistory()))['dept-edu'];
  // y: the escalation before the return moved the deadline is not there; the late submission is the second one.
  expect(edu?.deductions.filter((d) => d.taskId.includes(':y:')).map((d) => [d.kind, d.event?.action, d.event?.index])).toEqual([
    ['late', 'submitted', 5],
    ['escalationLevel', 'escalated', 4],
    ['returned', 'returned', 2],
  ]);
  expect(edu?.deductions.find((d) => d.kind === 'late' && d.taskId.includes(':y:'))?.event?.audit).toMatchObject({ actor: 'p-edu', via: 'cli' });
  // The listing knows the task and what happened, not which event.
  const listed = byId(score(fromListing()))['v-pine']?.deductions.find((d) => d.kind === 'late');
  expect(listed?.event).toEqual({ action: 'completed', at: at('2026-03-20T10:00') });
});

test('the catalog rules decide the points, in hundredths; a rule of 0 takes nothing away', () => {
  const rules: AssessmentRules = { start: 60, deductions: { late: 1.5, escalationLevel: 0, returned: 0.25, notCompleted: 3 } };
  const u = byId(score(fromHistory(), rules));
  expect(u['v-pine']?.score).toBe(60 - 1.5 - 3 - 0.25);
  expect(u['v-pine']?.deductions.some((d) => d.kind === 'escalationLevel')).toBe(false);
  expect(u['dept-edu']?.score).toBe(60 - 1.5 - 1.5 - 0.25);
});

test('open work past its deadline while an emergency suspends its unit is not counted, from either source', () => {
  const held = STATES.map((st) => (st.taskId === 'task:c:2026-05:v-pine' ? { ...st, flags: ['suspended' as const] } : st));
  for (const tasks of [held.map((st) => fromState(st)), held.map((st) => fromSummary(summary(st)))]) {
    const u = byId(score(tasks))['v-pine'];
    expect(u).toMatchObject({ score: 100 - 4 - 1, onTimeRate: 3 / 4 });
    expect(u?.counts.suspended).toBe(1);
  }
});

const report = assessTasks(tree, { year: 2026, rules: DEFAULT_ASSESSMENT, source: 'history', asOf: AS_OF }, { tasks: fromHistory().filter((t) => inYear(t, 2026)), unreadable: [] });

test('table and CSV: the rules, each kind ranked, and with --detail every deduction', () => {
  const table = formatAssessment(report, 'table');
  expect(table).toContain('全市 2026 年度职责落实考核');
  expect(table).toContain('逾期办结每项 −2');
  expect(table).toMatch(/乡镇\/街道\(1 个\)[\s\S]*村\/社区\(2 个\)[\s\S]*市直行业部门\(1 个\)/);
  expect(formatAssessment(report, 'table', true)).toMatch(/扣分明细\(12 项\)[\s\S]*2级督办/);
  const rows = parse(formatAssessment(report, 'csv').replace(/^\uFEFF/, '')) as string[][];
  expect(rows[0]?.slice(0, 6)).toEqual(['类别', '排名', '单位', '乡镇/街道', '得分', '按时完成率']);
  expect(rows.find((r) => r.at(-1) === 'v-pine')?.slice(0, 6)).toEqual(['村/社区', '2', '松村', '东镇', '88', '60.0%']);
  const detail = parse(formatAssessment(report, 'csv', true).replace(/^\uFEFF/, '')) as string[][];
  expect(detail.filter((r) => r[0] === '松村').map((r) => Number(r[5])).reduce((a, b) => a + b, 0)).toBe(-12);
});

test('the XLSX 通报: title and date, a summary sheet, one sheet per township and one for the departments, widths and print setup', async () => {
  const wb = new Workbook();
  const bytes = await assessmentXlsx(report);
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  expect(wb.worksheets.map((s) => s.name)).toEqual(['汇总', '东镇', '市直行业部门']);
  const summarySheet = wb.getWorksheet('汇总');
  expect(summarySheet?.getCell('A1').value).toBe('全市 2026 年度职责落实考核通报');
  expect(String(summarySheet?.getCell('A2').value)).toMatch(/^统计截至 2026-12-01 12:00 · 印发日期 \d{4}年\d+月\d+日$/);
  expect(summarySheet?.getColumn(2).width).toBe(22);
  expect(summarySheet?.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1 });
  // Rows and cells are numbered from 1; index 0 of each is empty.
  const values = (name: string) => Array.from(wb.getWorksheet(name)?.getSheetValues() ?? [], (r) => (Array.isArray(r) ? Array.from(r.slice(1), (c) => (c === undefined || c === null ? '' : String(c))) : [])).slice(1);
  const header = values('汇总').find((r) => r[0] === '排名');
  expect(header).toEqual(['排名', '单位', '乡镇/街道', '得分', '按时完成率', '计分任务', '按时完成', '逾期办结', '逾期未完成', '督办级次', '退回次数', '免除', '待审核']);
  const east = values('东镇');
  expect(east[0]?.[0]).toBe('东镇 2026 年度考核情况');
  // The township first, then its villages by rank, each line followed by the points it lost.
  const lines = east.filter((r) => /(乡镇\/街道|村\/社区)第/.test(r[0] ?? '')).map((r) => r[0]?.split('(')[0]);
  expect(lines).toEqual(['东镇', '橡村', '松村']);
  expect(east.filter((r) => r[3] === '逾期未完成')).toHaveLength(1);
  expect(east.find((r) => r[3] === '逾期办结')?.slice(0, 5)).toEqual(['村级月度报表', '2026-03', '2026-03-16', '逾期办结', '-2']);
});

test('a unit narrows what is shown, not where it ranks: 松村 stays second of the two villages', () => {
  const tasks = fromHistory().filter((t) => inYear(t, 2026));
  const pine = assessTasks(tree, { year: 2026, rules: DEFAULT_ASSESSMENT, source: 'listing', asOf: AS_OF, shown: ['v-pine'] }, { tasks, unreadable: [] });
  expect(pine.units.map((u) => [u.unitId, u.rank, u.score])).toEqual([['v-pine', 2, 88]]);
  expect(pine).toMatchObject({ scope: { unitName: '松村' }, rankedAmong: { unitName: '全市', counts: { township: 1, village: 2, department: 1 } }, tasks: 8 });
  expect(formatAssessment(pine, 'table')).toContain('村/社区(显示 1 个,共 2 个参与排名)');
});
