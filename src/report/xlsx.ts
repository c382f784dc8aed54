import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { flagsText, levelName, neutralise } from './format';
import { ROW_LIGHT, type OverdueReport } from './overdue';
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

function header(sheet: ExcelJS.Worksheet, titles: string[], widths: number[]): void {
  sheet.columns = titles.map((t, i) => ({ header: t, width: widths[i] ?? 12 }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
}

/** Every row goes through here, so no text cell of the workbook can start a formula (see `neutralise`). */
function addRow(sheet: ExcelJS.Worksheet, cells: (string | number)[]): void {
  sheet.addRow(cells.map(neutralise));
}

/** The overdue report as a workbook: a summary sheet, then one sheet per township (departments as one more). */
export async function reportXlsx(report: OverdueReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '乡村振兴职责督办';
  wb.created = new Date(report.asOf);
  const used = new Set<string>();
  const asOf = DateTime.fromISO(report.asOf, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');

  const summary = wb.addWorksheet(sheetName('汇总', used));
  header(summary, ['乡镇/街道', '单位', '逾期数'], [22, 26, 10]);
  for (const g of report.groups) for (const u of g.units) addRow(summary, [g.townshipName, u.unitName, u.count]);
  addRow(summary, []);
  addRow(summary, [`${report.scope.unitName} · 截至 ${asOf} · 共 ${report.total} 项逾期`]);

  for (const g of report.groups) {
    const sheet = wb.addWorksheet(sheetName(g.townshipName, used));
    header(sheet, DETAIL_HEADER, DETAIL_WIDTHS);
    for (const u of g.units) {
      for (const r of u.tasks) addRow(sheet, [r.unitName, r.dutyTitle, r.period, r.assigneeName, r.dueOn, r.daysOverdue, levelName(r.escalationLevel), r.taskId, flagsText(r), LIGHT_NAMES[ROW_LIGHT]]);
    }
    sheet.autoFilter = { from: 'A1', to: 'J1' };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
