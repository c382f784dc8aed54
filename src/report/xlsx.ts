import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { flagsText, levelName, neutralise } from './format';
import { ROW_LIGHT, type OverdueReport, type TownshipGroup } from './overdue';
import { exportOf, type OverdueExport } from './overdueExport';
import { LIGHT_NAMES } from '../shared/taskStates';
import { ZONE } from '../shared/zone';

// 办理状态 and 亮灯 last, as in the CSV.
const DETAIL_HEADER = ['单位', '职责', '周期', '责任人', '截止日期', '逾期天数', '督办级别', '任务编号', '办理状态', '亮灯'];
const DETAIL_WIDTHS = [22, 30, 12, 10, 12, 10, 10, 48, 28, 8];

/** Excel refuses sheet names over 31 characters or with []:*?/\ and two sheets of one name. */
export function sheetName(name: string, used: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || '未命名';
  let candidate = base;
  for (let i = 2; used.has(candidate); i++) candidate = `${base.slice(0, 28)}(${i})`;
  used.add(candidate);
  return candidate;
}

/** A sheet with its header row in bold, kept in view while scrolling (a streamed sheet takes its views only here). */
function addSheet(wb: ExcelJS.Workbook, name: string, used: Set<string>, titles: string[], widths: number[]): ExcelJS.Worksheet {
  const sheet = wb.addWorksheet(sheetName(name, used), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = titles.map((t, i) => ({ header: t, width: widths[i] ?? 12 }));
  sheet.getRow(1).font = { bold: true };
  return sheet;
}

/** Every row goes through here, so no text cell of the workbook can start a formula (see `neutralise`). */
function addRow(sheet: ExcelJS.Worksheet, cells: (string | number)[]): void {
  // A streamed sheet writes a committed row out at once; an ordinary one keeps it either way.
  sheet.addRow(cells.map(neutralise)).commit();
}

/** Until what was written has gone out: the workbook then holds one unit's rows at most. */
async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, 'drain');
}

/**
 * The overdue report as a workbook written while it is listed: a summary sheet (the counts are known first), then one
 * sheet per township (departments as one more), each unit's rows as they arrive. exceljs streams the file into
 * `out` (deflated by zlib, off the event loop), so it holds no more than a unit's rows.
 */
export async function writeOverdueXlsx(exp: OverdueExport, out: Writable): Promise<void> {
  const report = exp.summary;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '乡村振兴职责督办';
  wb.created = new Date(report.asOf);
  const used = new Set<string>();
  const asOf = DateTime.fromISO(report.asOf, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');

  const summary = addSheet(wb, '汇总', used, ['乡镇/街道', '单位', '逾期数'], [22, 26, 10]);
  for (const g of report.groups) for (const u of g.units) addRow(summary, [g.townshipName, u.unitName, u.count]);
  addRow(summary, []);
  addRow(summary, [`${report.scope.unitName} · 截至 ${asOf} · 共 ${report.total} 项逾期`]);
  summary.commit();

  let open: { group: TownshipGroup; sheet: ExcelJS.Worksheet } | undefined;
  for await (const { group, rows } of exp.units()) {
    if (open?.group !== group) {
      open?.sheet.commit();
      open = { group, sheet: addSheet(wb, group.townshipName, used, DETAIL_HEADER, DETAIL_WIDTHS) };
      open.sheet.autoFilter = { from: 'A1', to: 'J1' };
    }
    const { sheet } = open;
    for (const r of rows) addRow(sheet, [r.unitName, r.dutyTitle, r.period, r.assigneeName, r.dueOn, r.daysOverdue, levelName(r.escalationLevel), r.taskId, flagsText(r), LIGHT_NAMES[ROW_LIGHT]]);
    await drained(out);
  }
  open?.sheet.commit();
  await wb.commit();
}

/** A whole report's workbook in memory, written by the same writer as the download. */
export async function reportXlsx(report: OverdueReport): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  // The writer ends `out` when the file is complete.
  await Promise.all([writeOverdueXlsx(exportOf(report), out), finished(out)]);
  return Buffer.concat(chunks);
}
