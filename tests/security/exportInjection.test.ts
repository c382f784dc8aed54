import { parse } from 'csv-parse/sync';
import { Workbook, ValueType } from 'exceljs';
import type { CycleRollup, CycleUnitRow, Tally } from '../../src/report/cycle';
import { formatReport } from '../../src/report/format';
import type { OverdueReport, OverdueRow, TownshipGroup } from '../../src/report/overdue';
import { formatCycle, formatTarget } from '../../src/report/rollupFormat';
import type { TargetReport, TargetShare } from '../../src/report/target';
import { reportXlsx } from '../../src/report/xlsx';

/**
 * CSV/formula injection: unit names, notes and figures are typed by people, and an export is opened in a spreadsheet
 * by someone else. A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return must reach the file with a
 * leading `'`; numbers must stay numbers (a reported -3 is a figure, not a formula).
 */
const PAYLOADS = ["=cmd|' /C calc'!A0", '+1', '-2', '@SUM(A1)', '\tx', '\rx'] as const;
const [CMD, PLUS, MINUS, AT, TAB, CR] = PAYLOADS;
const DANGEROUS = /^[=+\-@\t\r]/;
const safe = (payload: string) => `'${payload}`;

function overdueRow(taskId: string, over: Partial<OverdueRow>): OverdueRow {
  return {
    taskId,
    dutyId: 'village-report',
    dutyTitle: '村级月度报表',
    period: '2026-03',
    assigneeId: 'p-pine-1',
    assigneeName: '村干部戊',
    unitId: 'v-pine',
    unitName: '松村',
    townshipId: 't-east',
    dueOn: '2026-03-16',
    daysOverdue: 4,
    escalationLevel: 1,
    flags: [],
    ...over,
  };
}

function township(townshipName: string, rows: OverdueRow[]): TownshipGroup {
  return {
    townshipId: `t-${rows[0]?.taskId ?? 'x'}`,
    townshipName,
    count: rows.length,
    units: rows.map((r) => ({ unitId: r.unitId, unitName: r.unitName, count: 1, tasks: [r] })),
  };
}

const overdue: OverdueReport = {
  asOf: '2026-03-20T01:00:00.000Z',
  scope: { unitId: '*', unitName: CMD },
  query: '',
  total: 6,
  groups: [
    township(CMD, [overdueRow('a', { unitName: PLUS, dutyTitle: MINUS })]),
    township(PLUS, [overdueRow('b', { unitName: AT, assigneeName: TAB })]),
    township(MINUS, [overdueRow('c', { unitName: TAB, period: CR })]),
    township(AT, [overdueRow('d', { unitName: CR, assigneeName: AT })]),
    township(TAB, [overdueRow('e', { unitName: MINUS, daysOverdue: -3 })]),
    township(CR, [overdueRow('f', { unitName: CMD })]),
  ],
};

const tally = (sums: Record<string, number>, done = 1, units = 2): Tally => ({ units, done, open: units - done, overdue: 0, review: 0, waived: 0, sums });

function unitRow(unitName: string, status: CycleUnitRow['status'], figures: CycleUnitRow['figures'] = {}): CycleUnitRow {
  return { unitId: `v-${unitName.length}`, unitName, taskId: `task:${unitName}`, status, dueOn: '2026-03-31', figures };
}

const cycle: CycleRollup = {
  dutyId: 'clean-village',
  dutyTitle: '村庄清洁',
  period: '2026-03',
  fields: [
    { key: 'balance', label: CMD, unit: '元' },
    { key: 'note', label: AT },
  ],
  scope: { unitId: '*', unitName: '全市' },
  query: '',
  county: tally({ balance: -3, note: 0 }, 2, 6),
  townships: [
    { townshipId: 't-1', townshipName: CMD, tally: tally({ balance: -3, note: 0 }), units: [unitRow(PLUS, 'done', { balance: -3, note: MINUS }), unitRow(MINUS, 'open')] },
    { townshipId: 't-2', townshipName: TAB, tally: tally({ balance: 0, note: 0 }), units: [unitRow(AT, 'done', { balance: 0, note: CR }), unitRow(CR, 'overdue')] },
    { townshipId: 't-3', townshipName: CR, tally: tally({ balance: 0, note: 0 }, 0, 2), units: [unitRow(TAB, 'waived'), unitRow(CMD, 'open')] },
  ],
};

const share = (reached: number, total: number): TargetShare => ({ reached, total, share: total ? reached / total : 0, met: total > 0 && reached / total >= 0.5 });

const target: TargetReport = {
  dutyId: 'collective-income',
  dutyTitle: '村集体经营性收入',
  year: 2026,
  checkpoint: '2026-03',
  query: '',
  targets: PAYLOADS.map((label, i) => ({
    tag: `tag-${i}`,
    label,
    field: 'income',
    atLeast: 100_000,
    goal: 0.5,
    county: share(1, 2),
    townships: [{ townshipId: `t-${i}`, townshipName: PAYLOADS[(i + 1) % PAYLOADS.length] ?? '', share: share(1, 2) }],
    villages: [],
  })),
};

const csvRows = (text: string) => parse(text, { bom: true, relax_column_count: true }) as string[][];

/** Every cell that could start a formula is a number the report holds as a number (a negative figure). */
function expectNoFormulaText(rows: string[][]): void {
  const risky = rows.flat().filter((c) => DANGEROUS.test(c));
  expect(risky.filter((c) => !/^-\d+(\.\d+)?$/.test(c))).toEqual([]);
}

describe('CSV exports', () => {
  test('the overdue report neutralises every typed cell and keeps figures as figures', () => {
    const text = formatReport(overdue, 'csv');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = csvRows(text);
    expectNoFormulaText(rows);
    const body = rows.slice(1);
    // 乡镇/街道 and 单位, in report order
    expect(body.map((r) => r[0])).toEqual(PAYLOADS.map(safe));
    expect(body.map((r) => r[1])).toEqual([PLUS, AT, TAB, CR, MINUS, CMD].map(safe));
    expect(body[0]?.[2]).toBe(safe(MINUS));
    expect(body[1]?.[4]).toBe(safe(TAB));
    expect(body[2]?.[3]).toBe(safe(CR));
    expect(body[3]?.[4]).toBe(safe(AT));
    expect(body[0]?.[6]).toBe('4');
    expect(body[4]?.[6]).toBe('-3');
  });

  test('the cycle roll-up neutralises labels, names and text figures; a figure -3 stays -3', () => {
    const rows = csvRows(formatCycle(cycle, 'csv'));
    expectNoFormulaText(rows);
    expect(rows[0]?.slice(4)).toEqual([safe(CMD), safe(AT)]);
    const byUnit = new Map(rows.filter((r) => r[0] === '村').map((r) => [r[2], r]));
    expect([...byUnit.keys()]).toEqual([PLUS, MINUS, AT, CR, TAB, CMD].map(safe));
    expect(byUnit.get(safe(PLUS))).toEqual(['村', safe(CMD), safe(PLUS), '已完成', '-3', safe(MINUS)]);
    expect(byUnit.get(safe(AT))).toEqual(['村', safe(TAB), safe(AT), '已完成', '0', safe(CR)]);
    expect(byUnit.get(safe(MINUS))).toEqual(['村', safe(CMD), safe(MINUS), '待办', '', '']);
    const townshipTotals = rows.filter((r) => r[0] === '乡镇合计');
    expect(townshipTotals.map((r) => r[1])).toEqual([CMD, TAB, CR].map(safe));
    expect(townshipTotals[0]?.[4]).toBe('-3');
    expect(rows.find((r) => r[0] === '全市合计')?.slice(3)).toEqual(['2/6', '-3', '0']);
  });

  test('the target report neutralises labels and township names', () => {
    const rows = csvRows(formatTarget(target, 'csv'));
    expectNoFormulaText(rows);
    const body = rows.slice(1);
    expect([...new Set(body.map((r) => r[0]))]).toEqual(PAYLOADS.map(safe));
    expect(body.filter((r) => r[1] !== '全市').map((r) => r[1])).toEqual([PLUS, MINUS, AT, TAB, CR, CMD].map(safe));
    expect(body[0]?.slice(2)).toEqual(['1', '2', '50.0%', '达标']);
  });
});

test('the overdue workbook has no text cell that starts a formula, and its numbers are numbers', async () => {
  const wb = new Workbook();
  const bytes = await reportXlsx(overdue);
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const strings: string[] = [];
  const numbers: number[] = [];
  for (const sheet of wb.worksheets) {
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type === ValueType.Formula) throw new Error(`unexpected formula in ${cell.address}`);
        if (typeof cell.value === 'string') strings.push(cell.value);
        else if (typeof cell.value === 'number') numbers.push(cell.value);
      }),
    );
  }
  // XML turns a carriage return into a line feed on the way back, so a leading line feed was a carriage return.
  expect(strings.filter((s) => /^[=+\-@\t\r\n]/.test(s))).toEqual([]);
  for (const p of PAYLOADS) expect(strings).toContain(safe(p).replace('\r', '\n'));
  expect(strings.some((s) => s.startsWith(`${safe(CMD)} · 截至`))).toBe(true);
  // 逾期数 on the summary (1 per unit) and 逾期天数 on the township sheets, -3 among them.
  expect(numbers.filter((n) => n === 1)).toHaveLength(6);
  expect(numbers).toContain(-3);
  expect(numbers.filter((n) => n === 4)).toHaveLength(5);
});
