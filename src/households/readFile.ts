import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { UsageError, ValidationError, type InputIssue } from '../errors';
import { columnFor, COLUMNS, type ColumnKey } from './columns';

/** A cell as read, still untyped. `excelNumber` marks a number cell, which cannot hold an 18-digit ID exactly. */
export interface RawCell {
  text: string;
  excelNumber?: boolean;
}

export interface RawRow {
  /** The row number a person sees in Excel or a text editor (the header is row 1). */
  row: number;
  cells: Partial<Record<ColumnKey, RawCell>>;
}

export interface RawTable {
  file: string;
  /** Column key → the header as written in the file, for reports in the file's own words. */
  headers: Partial<Record<ColumnKey, string>>;
  ignored: string[];
  rows: RawRow[];
}

/** Reads a CSV (UTF-8, or the GB18030 Excel writes on Chinese Windows) or the first (or named) sheet of an XLSX. */
export async function readHouseholdFile(file: string, sheet?: string): Promise<RawTable> {
  const ext = path.extname(file).toLowerCase();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UsageError(`无法读取文件 ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (ext === '.csv' || ext === '.txt') return fromGrid(file, csvGrid(file, bytes));
  if (ext === '.xlsx') return fromGrid(file, await xlsxGrid(file, bytes, sheet));
  if (ext === '.xls') throw new UsageError(`${file}: 不支持旧版 .xls,请在 Excel 中另存为 .xlsx 或 .csv`);
  throw new UsageError(`${file}: 只支持 .csv 和 .xlsx 文件`);
}

type Grid = { row: number; cells: RawCell[] }[];

function csvGrid(file: string, bytes: Buffer): Grid {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('gb18030').decode(bytes);
  }
  try {
    const records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
    // info.lines is where a record ends; a quoted field may span lines, and the report should name where it starts.
    let ended = 0;
    return records.map(({ record, info }) => {
      const row = ended + 1;
      ended = info.lines;
      return { row, cells: record.map((t) => ({ text: t })) };
    });
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new ValidationError('农户文件', [{ file, line: e.lines, path: '(CSV)', message: `无法解析: ${e.message}` }]);
  }
}

async function xlsxGrid(file: string, bytes: Buffer, sheetName?: string): Promise<Grid> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new ValidationError('农户文件', [{ file, path: '(XLSX)', message: `无法打开: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  const sheet = sheetName ? book.getWorksheet(sheetName) : book.worksheets[0];
  if (!sheet) throw new UsageError(`${file}: 找不到工作表 ${sheetName ?? '(第一个)'}`);
  const grid: Grid = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: RawCell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellOf(row.getCell(c).value));
    grid.push({ row: row.number, cells });
  });
  return grid;
}

function cellOf(value: ExcelJS.CellValue): RawCell {
  if (value === null || value === undefined) return { text: '' };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10) };
  if (typeof value === 'number') return { text: String(value), excelNumber: true };
  if (typeof value === 'string' || typeof value === 'boolean') return { text: String(value) };
  if ('richText' in value) return { text: value.richText.map((r) => r.text).join('') };
  if ('result' in value) return cellOf((value.result ?? null) as ExcelJS.CellValue);
  if ('text' in value) return { text: String(value.text) };
  return { text: '' };
}

function fromGrid(file: string, grid: Grid): RawTable {
  const header = grid.find((r) => r.cells.some((c) => c.text.trim()));
  if (!header) throw new ValidationError('农户文件', [{ file, path: '(表头)', message: '文件为空' }]);
  const positions = new Map<ColumnKey, number>();
  const headers: Partial<Record<ColumnKey, string>> = {};
  const ignored: string[] = [];
  const issues: InputIssue[] = [];
  header.cells.forEach((cell, i) => {
    const text = cell.text.trim();
    if (!text) return;
    const column = columnFor(text);
    if (!column) return void ignored.push(text);
    if (positions.has(column.key)) {
      issues.push({ file, line: header.row, path: text, message: `与列"${headers[column.key]}"重复` });
      return;
    }
    positions.set(column.key, i);
    headers[column.key] = text;
  });
  for (const c of COLUMNS.filter((col) => col.required && !positions.has(col.key))) {
    issues.push({ file, line: header.row, path: c.zh, message: `缺少必需的列"${c.zh}"(英文列名 ${c.key})` });
  }
  if (issues.length > 0) throw new ValidationError('农户文件', issues);
  const rows = grid
    .filter((r) => r.row > header.row && r.cells.some((c) => c.text.trim()))
    .map((r) => ({
      row: r.row,
      cells: Object.fromEntries([...positions].map(([key, i]) => [key, r.cells[i] ?? { text: '' }])) as RawRow['cells'],
    }));
  return { file, headers, ignored, rows };
}
