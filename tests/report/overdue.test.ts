import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import { formatReport } from '../../src/report/format';
import { groupRows, overdueFilter, row as reportRow, type OverdueReport, type OverdueRow } from '../../src/report/overdue';
import { reportXlsx } from '../../src/report/xlsx';
import { OrgTree } from '../../src/roster/orgTree';
import { taskQuery, type TaskSummary } from '../../src/tasks/query';
import { roster } from '../fixtures/org';

const tree = new OrgTree(roster);

function row(unit: string, townshipId: string | undefined, id: string): OverdueRow {
  return {
    taskId: id,
    dutyId: 'village-report',
    dutyTitle: '村级月度报表',
    period: '2026-03',
    assigneeId: 'p-pine-1',
    assigneeName: '村干部戊',
    unitId: unit,
    unitName: tree.unit(unit).name,
    townshipId,
    dueOn: '2026-03-16',
    daysOverdue: 4,
    escalationLevel: 2,
    flags: [],
  };
}

const groups = groupRows([row('v-pine', 't-east', 'a'), row('dept-edu', undefined, 'b'), row('v-pine', 't-east', 'c'), row('t-east', 't-east', 'd')], tree);

test('rows are grouped by township then unit, departments in a group of their own, largest first', () => {
  expect(groups.map((g) => [g.townshipName, g.count])).toEqual([
    ['东镇', 3],
    ['市直行业部门', 1],
  ]);
  expect(groups[0]?.units.map((u) => [u.unitName, u.count])).toEqual([
    ['松村', 2],
    ['东镇', 1],
  ]);
});

test('CSV has Chinese headers, one row per task, and reads back', () => {
  const report: OverdueReport = { asOf: '2026-03-20T01:00:00.000Z', scope: { unitId: '*', unitName: '全市' }, query: '', total: 4, groups };
  const rows = parse(formatReport(report, 'csv'), { bom: true }) as string[][];
  expect(rows[0]).toEqual(['乡镇/街道', '单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '督办级别', '任务编号', '办理状态', '亮灯']);
  expect(rows.slice(1).map((r) => r[8])).toEqual(['a', 'c', 'd', 'b']);
  expect(rows[1]).toEqual(['东镇', '松村', '村级月度报表', '2026-03', '村干部戊', '2026-03-16', '4', '二级督办', 'a', '', '红灯']);
  const table = formatReport(report, 'table');
  expect(table).toContain('逾期任务报告 · 全市 · 截至 2026-03-20 09:00 · 共 4 项');
  expect(table).toContain('东镇(合计 3)');
  // Every row of an overdue report is a red light, the word beside the days overdue.
  expect(table).toMatch(/│ 4 +│ 红灯 +│ 二级督办 /);
  expect(formatReport({ ...report, total: 0, groups: [] }, 'table')).toContain('暂无逾期任务。');
});

test('the report query is one a person can paste into `temporal workflow list --query`', () => {
  expect(taskQuery({ unit: 't-east', statuses: ['open', 'overdue'], dueBefore: new Date('2026-03-20T15:59:59.999Z') })).toBe(
    "WorkflowType = 'dutyTask' AND DutyUnitPath = 't-east' AND DutyStatus IN ('open', 'overdue') AND DutyDueAt < '2026-03-20T15:59:59.999Z'",
  );
  expect(() => taskQuery({ unit: "t-east' OR 1=1" })).toThrow('单位编号 含有非法字符');
});

describe('督办 flags in the overdue report', () => {
  const asOf = new Date('2026-03-27T01:00:00.000Z');
  const extended: TaskSummary = {
    taskId: 'task:village-report:2026-03:v-pine',
    dutyId: 'village-report',
    dutyTitle: '村级月度报表',
    period: '2026-03',
    assignee: 'p-pine-1',
    unit: 'v-pine',
    township: 't-east',
    status: 'overdue',
    dueOn: '2026-03-25',
    dueAt: new Date('2026-03-25T10:00:00.000Z'),
    escalationLevel: 1,
    provisional: false,
    flags: ['progress', 'extended', 'returned'],
    extensions: 1,
    returns: 1,
    latestProgress: { at: '2026-03-24T02:00:00.000Z', note: '已走访 12 户' },
    originalDueOn: '2026-03-16',
  };
  const extendedRow = reportRow(extended, tree, asOf);
  const report: OverdueReport = { asOf: asOf.toISOString(), scope: { unitId: '*', unitName: '全市' }, query: '', total: 2, groups: groupRows([extendedRow, row('dept-edu', undefined, 'b')], tree) };

  test('an extended task is overdue against its extended deadline and keeps the original one beside it', () => {
    expect(extendedRow).toMatchObject({
      dueOn: '2026-03-25',
      daysOverdue: 2,
      flags: ['progress', 'extended', 'returned'],
      originalDueOn: '2026-03-16',
      latestProgress: { at: '2026-03-24T02:00:00.000Z', note: '已走访 12 户' },
    });
  });

  test('CSV, table and JSON show the flags, an extension with its original deadline', () => {
    const rows = parse(formatReport(report, 'csv'), { bom: true }) as string[][];
    const byTask = new Map(rows.slice(1).map((r) => [r[8], r]));
    expect(byTask.get(extended.taskId)?.slice(5)).toEqual(['2026-03-25', '2', '一级督办', extended.taskId, '进行中、延期中(原截止 2026-03-16)、已退回', '红灯']);
    expect(byTask.get('b')?.[9]).toBe('');
    const table = formatReport(report, 'table');
    expect(table).toContain('办理状态');
    expect(table).toContain('延期中(原截止 2026-03-16)');
    const json = JSON.parse(formatReport(report, 'json')) as OverdueReport;
    expect(json.groups.find((g) => g.townshipId === 't-east')?.units[0]?.tasks[0]).toMatchObject({ flags: ['progress', 'extended', 'returned'], originalDueOn: '2026-03-16', latestProgress: { note: '已走访 12 户' } });
  });

  test('the Excel sheets have the same 办理状态 column, last', async () => {
    const wb = new Workbook();
    const bytes = await reportXlsx(report);
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const sheet = wb.getWorksheet('东镇');
    expect(sheet?.getRow(1).getCell(9).value).toBe('办理状态');
    expect(sheet?.getRow(2).getCell(9).value).toBe('进行中、延期中(原截止 2026-03-16)、已退回');
    expect([sheet?.getRow(1).getCell(10).value, sheet?.getRow(2).getCell(10).value]).toEqual(['亮灯', '红灯']);
  });

  test('the overdue filter counts open work only: a task waiting for review is not overdue, flags narrow it', () => {
    const at = new Date('2026-03-20T15:59:59.999Z');
    expect(taskQuery(overdueFilter('t-east', at))).toBe(
      "WorkflowType = 'dutyTask' AND DutyUnitPath = 't-east' AND DutyStatus IN ('open', 'overdue') AND DutyDueAt < '2026-03-20T15:59:59.999Z'",
    );
    expect(taskQuery(overdueFilter(undefined, at, { dutyId: 'village-report', flags: ['extended'] }))).toBe(
      "WorkflowType = 'dutyTask' AND DutyId = 'village-report' AND DutyStatus IN ('open', 'overdue') AND DutyFlags IN ('extended') AND DutyDueAt < '2026-03-20T15:59:59.999Z'",
    );
  });
});
