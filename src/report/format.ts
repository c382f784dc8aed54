import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import type { OverdueReport, OverdueRow, TownshipGroup } from './overdue';
import { ZONE } from '../shared/zone';

export type ReportFormat = 'table' | 'json' | 'csv';
export const REPORT_FORMATS: ReportFormat[] = ['table', 'json', 'csv'];

const LEVELS = ['未督办', '一级督办', '二级督办', '三级督办'];
export const levelName = (n: number): string => LEVELS[n] ?? `${n}级督办`;

/**
 * A text cell that a spreadsheet could take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return) gets a leading `'`, as OWASP advises against CSV injection: unit names, notes and figures are typed by
 * people, and an export is opened by someone else. Numbers are left alone so they stay numbers.
 */
export function neutralise<T>(cell: T): T | string {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** Rows as CSV for Excel: every text cell neutralised, and a byte-order mark so the Chinese headers read as UTF-8. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${stringify(rows.map((row) => row.map(neutralise)))}`;
}

const CSV_HEADER = ['乡镇/街道', '单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '督办级别', '任务编号'];

function flatRows(groups: TownshipGroup[]): [TownshipGroup, OverdueRow][] {
  return groups.flatMap((g) => g.units.flatMap((u) => u.tasks.map((t): [TownshipGroup, OverdueRow] => [g, t])));
}

function asOfDate(report: OverdueReport): string {
  return DateTime.fromISO(report.asOf, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}

function table(report: OverdueReport): string {
  const lines = [`逾期任务报告 · ${report.scope.unitName} · 截至 ${asOfDate(report)} · 共 ${report.total} 项`];
  if (report.total === 0) return `${lines[0]}\n暂无逾期任务。`;
  const summary = new Table({ head: ['乡镇/街道', '单位', '逾期数'], style: { head: [], border: [] } });
  for (const g of report.groups) {
    summary.push([{ content: `${g.townshipName}(合计 ${g.count})`, colSpan: 3 }]);
    for (const u of g.units) summary.push(['', u.unitName, String(u.count)]);
  }
  const detail = new Table({ head: ['单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '督办级别'], style: { head: [], border: [] } });
  for (const [, r] of flatRows(report.groups)) {
    detail.push([r.unitName, r.dutyTitle, r.period, r.assigneeName, r.dueOn, String(r.daysOverdue), levelName(r.escalationLevel)]);
  }
  return [...lines, summary.toString(), detail.toString()].join('\n');
}

function csv(report: OverdueReport): string {
  const rows = flatRows(report.groups).map(([g, r]) => [
    g.townshipName,
    r.unitName,
    r.dutyTitle,
    r.period,
    r.assigneeName,
    r.dueOn,
    r.daysOverdue,
    levelName(r.escalationLevel),
    r.taskId,
  ]);
  return toCsv([CSV_HEADER, ...rows]);
}

export function formatReport(report: OverdueReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'csv':
      return csv(report);
    case 'table':
      return table(report);
  }
}
