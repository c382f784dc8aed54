import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { ROW_LIGHT, type OverdueReport, type OverdueRow, type TownshipGroup } from './overdue';
import type { OverdueExport, UnitRows } from './overdueExport';
import type { TaskFlag } from '../shared/searchAttributes';
import { FLAG_NAMES, LIGHT_NAMES } from '../shared/taskStates';
import { ZONE } from '../shared/zone';

export type ReportFormat = 'table' | 'json' | 'csv';
export const REPORT_FORMATS: ReportFormat[] = ['table', 'json', 'csv'];

const LEVELS = ['未督办', '一级督办', '二级督办', '三级督办'];
export const levelName = (n: number): string => LEVELS[n] ?? `${n}级督办`;

/** One 督办 flag in words; an extension names the deadline it replaced: `延期中(原截止 2026-03-16)`. */
export function flagText(flag: TaskFlag, originalDueOn?: string): string {
  return flag === 'extended' && originalDueOn ? `${FLAG_NAMES[flag]}(原截止 ${originalDueOn})` : FLAG_NAMES[flag];
}

/** A row's 督办 flags in words, e.g. `延期中(原截止 2026-03-16)、已退回`; empty when it has none. */
export function flagsText(r: Pick<OverdueRow, 'flags' | 'originalDueOn'>): string {
  return r.flags.map((f) => flagText(f, r.originalDueOn)).join('、');
}

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
  return `\uFEFF${csvLines(rows)}`;
}

/** CSV lines without the byte-order mark: what follows the first chunk of a CSV written piece by piece. */
function csvLines(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows.map((row) => row.map(neutralise)));
}

// 办理状态 and then 亮灯 come last so that the columns scripts already read keep their places.
const CSV_HEADER = ['乡镇/街道', '单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '督办级别', '任务编号', '办理状态', '亮灯'];

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
  const detail = new Table({ head: ['单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '亮灯', '督办级别', '办理状态'], style: { head: [], border: [] } });
  for (const [, r] of flatRows(report.groups)) {
    detail.push([r.unitName, r.dutyTitle, r.period, r.assigneeName, r.dueOn, String(r.daysOverdue), LIGHT_NAMES[ROW_LIGHT], levelName(r.escalationLevel), flagsText(r)]);
  }
  return [...lines, summary.toString(), detail.toString()].join('\n');
}

function csvCells(g: TownshipGroup, r: OverdueRow): unknown[] {
  return [g.townshipName, r.unitName, r.dutyTitle, r.period, r.assigneeName, r.dueOn, r.daysOverdue, levelName(r.escalationLevel), r.taskId, flagsText(r), LIGHT_NAMES[ROW_LIGHT]];
}

function csvUnit(u: UnitRows): string {
  return csvLines(u.rows.map((r) => csvCells(u.group, r)));
}

/** The overdue download as CSV, a piece per unit: the byte-order mark and the header at once, then each unit's rows. */
export async function* overdueCsv(exp: OverdueExport): AsyncGenerator<string> {
  yield toCsv([CSV_HEADER]);
  for await (const u of exp.units()) if (u.rows.length) yield csvUnit(u);
}

function csv(report: OverdueReport): string {
  return toCsv([CSV_HEADER]) + report.groups.flatMap((group) => group.units.map((unit) => csvUnit({ group, unit, rows: unit.tasks }))).join('');
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
