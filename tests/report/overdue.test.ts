import { parse } from 'csv-parse/sync';
import { formatReport } from '../../src/report/format';
import { groupRows, type OverdueReport, type OverdueRow } from '../../src/report/overdue';
import { OrgTree } from '../../src/roster/orgTree';
import { taskQuery } from '../../src/tasks/query';
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
  expect(rows[0]).toEqual(['乡镇/街道', '单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '督办级别', '任务编号']);
  expect(rows.slice(1).map((r) => r[8])).toEqual(['a', 'c', 'd', 'b']);
  expect(rows[1]).toEqual(['东镇', '松村', '村级月度报表', '2026-03', '村干部戊', '2026-03-16', '4', '二级督办', 'a']);
  const table = formatReport(report, 'table');
  expect(table).toContain('逾期任务报告 · 全市 · 截至 2026-03-20 09:00 · 共 4 项');
  expect(table).toContain('东镇(合计 3)');
  expect(formatReport({ ...report, total: 0, groups: [] }, 'table')).toContain('暂无逾期任务。');
});

test('the report query is one a person can paste into `temporal workflow list --query`', () => {
  expect(taskQuery({ unit: 't-east', statuses: ['open', 'overdue'], dueBefore: new Date('2026-03-20T15:59:59.999Z') })).toBe(
    "WorkflowType = 'dutyTask' AND DutyUnitPath = 't-east' AND DutyStatus IN ('open', 'overdue') AND DutyDueAt < '2026-03-20T15:59:59.999Z'",
  );
  expect(() => taskQuery({ unit: "t-east' OR 1=1" })).toThrow('单位编号 含有非法字符');
});
