import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { ZONE } from '../shared/zone';
import { KIND_NAMES, RANKED_KINDS, type UnitScore } from './assessment';
import {
  asOfText,
  countedOf,
  deductionItem,
  eventText,
  kindHeading,
  RANKING_HEADER,
  rankingCells,
  rankText,
  rateText,
  rulesText,
  SOURCE_NAMES,
  titleText,
} from './assessmentFormat';
import type { AssessmentReport } from './assessmentReport';
import { neutralise } from './format';
import { sheetName } from './xlsx';

/**
 * The 考核 as a 通报 ready to print: a summary sheet ranking every township, village and department, then one sheet
 * per township (its own score and its villages', each with the points it lost and why) and one for the departments.
 * A4 landscape, one page wide, page numbers in the footer.
 */

const RANKING_WIDTHS = [6, 22, 14, 8, 11, 9, 9, 9, 10, 9, 9, 7, 8];
const DETAIL_HEADER = ['职责', '周期', '截止日期', '扣分事项', '扣分', '扣分依据', '任务编号'];
const DETAIL_WIDTHS = [30, 10, 12, 12, 7, 44, 46];
const NUMERALS = ['一', '二', '三', '四', '五'];
const BAND: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };
const THIN: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };

function printable(sheet: ExcelJS.Worksheet, widths: number[]): void {
  widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
  sheet.pageSetup = { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true };
  sheet.headerFooter = { oddFooter: '&C第 &P 页,共 &N 页' };
}

/** A line across the whole table, e.g. the title or a unit's score. */
function banner(sheet: ExcelJS.Worksheet, text: string, columns: number, font: Partial<ExcelJS.Font> = {}, fill?: ExcelJS.Fill): ExcelJS.Row {
  const row = sheet.addRow([neutralise(text)]);
  sheet.mergeCells(row.number, 1, row.number, columns);
  row.font = font;
  row.alignment = { vertical: 'middle', wrapText: true, horizontal: font.size ? 'center' : 'left' };
  if (fill) row.getCell(1).fill = fill;
  return row;
}

/** Every cell goes through `neutralise`, so no text typed by people can start a formula. */
function cells(sheet: ExcelJS.Worksheet, values: (string | number)[], header = false): void {
  const row = sheet.addRow(values.map(neutralise));
  row.eachCell((c) => {
    c.border = THIN;
    c.alignment = { vertical: 'middle', wrapText: true };
  });
  if (header) {
    row.font = { bold: true };
    row.eachCell((c) => (c.fill = BAND));
  }
}

function heading(sheet: ExcelJS.Worksheet, report: AssessmentReport, title: string, columns: number): void {
  banner(sheet, title, columns, { bold: true, size: 16 }).height = 28;
  const issued = DateTime.now().setZone(ZONE).toFormat('yyyy年M月d日');
  banner(sheet, `统计截至 ${asOfText(report)} · 印发日期 ${issued}`, columns, { size: 11 });
}

function summary(wb: ExcelJS.Workbook, report: AssessmentReport, used: Set<string>): void {
  const sheet = wb.addWorksheet(sheetName('汇总', used));
  const n = RANKING_HEADER.length;
  printable(sheet, RANKING_WIDTHS);
  heading(sheet, report, `${titleText(report)}通报`, n);
  banner(sheet, `计分规则: ${rulesText(report.rules)}。计分任务: 截止日期(含批准延期后的)在 ${report.year} 年内、截至统计时已到期的任务,来源: ${SOURCE_NAMES[report.source]}。${rankText(report)}。`, n).height = 48;
  let section = 0;
  for (const kind of RANKED_KINDS) {
    const units = report.units.filter((u) => u.kind === kind);
    if (units.length === 0) continue;
    sheet.addRow([]);
    banner(sheet, `${NUMERALS[section++]}、${kindHeading(report, kind)}`, n, { bold: true });
    cells(sheet, RANKING_HEADER, true);
    for (const u of units) cells(sheet, rankingCells(u));
  }
}

/** A unit's line in its township's sheet: rank, score, on-time rate and what was counted. */
function unitLine(u: UnitScore, ofKind: number): string {
  const c = u.counts;
  return `${u.unitName}(${KIND_NAMES[u.kind]}第 ${u.rank} 名/共 ${ofKind} 个):得分 ${u.score},按时完成率 ${rateText(u.onTimeRate)};计分任务 ${countedOf(u)} 项(按时 ${c.onTime}、逾期办结 ${c.late}、逾期未完成 ${c.notCompleted}),免除 ${c.waived} 项`;
}

function groupSheet(wb: ExcelJS.Workbook, report: AssessmentReport, used: Set<string>, name: string, units: UnitScore[]): void {
  const sheet = wb.addWorksheet(sheetName(name, used));
  const n = DETAIL_HEADER.length;
  printable(sheet, DETAIL_WIDTHS);
  heading(sheet, report, `${name} ${report.year} 年度考核情况`, n);
  cells(sheet, DETAIL_HEADER, true);
  for (const u of units) {
    banner(sheet, unitLine(u, report.rankedAmong.counts[u.kind]), n, { bold: true }, BAND);
    if (u.deductions.length === 0) banner(sheet, '无扣分', n);
    for (const d of u.deductions) cells(sheet, [d.dutyTitle, d.period, d.dueOn, deductionItem(d), -d.points, eventText(d), d.taskId]);
  }
}

/** Township first, then its villages by rank; departments on a sheet of their own, after the townships. */
function groups(report: AssessmentReport): { name: string; units: UnitScore[] }[] {
  const order = (u: UnitScore) => RANKED_KINDS.indexOf(u.kind);
  const byTownship = new Map<string, { name: string; first: number; units: UnitScore[] }>();
  for (const u of report.units) {
    const g = byTownship.get(u.townshipId) ?? { name: u.townshipName, first: order(u), units: [] };
    g.first = Math.min(g.first, order(u));
    g.units.push(u);
    byTownship.set(u.townshipId, g);
  }
  for (const g of byTownship.values()) g.units.sort((a, b) => order(a) - order(b) || a.rank - b.rank || a.unitId.localeCompare(b.unitId));
  return [...byTownship.values()].sort((a, b) => a.first - b.first || a.name.localeCompare(b.name, 'zh'));
}

export async function assessmentXlsx(report: AssessmentReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '乡村振兴职责督办';
  wb.created = new Date(report.asOf);
  wb.title = `${titleText(report)}通报`;
  const used = new Set<string>();
  summary(wb, report, used);
  for (const g of groups(report)) groupSheet(wb, report, used, g.name, g.units);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
