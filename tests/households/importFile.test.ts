import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { checkCharacter, idNumberProblem, maskIdNumber, maskName } from '../../src/validation/idCard';
import { readHouseholdFile } from '../../src/households/readFile';
import { validateRows } from '../../src/households/validate';
import { OrgTree } from '../../src/roster/orgTree';
import { ValidationError } from '../../src/errors';
import { roster } from '../fixtures/org';

const tree = new OrgTree(roster);
const dir = mkdtempSync(path.join(os.tmpdir(), 'households-'));
const TODAY = '2026-11-30';

function csv(name: string, text: string, encoding: 'utf8' | 'gb18030' = 'utf8'): string {
  const file = path.join(dir, name);
  writeFileSync(file, encoding === 'utf8' ? text : Buffer.from(new Uint8Array(encodeGb18030(text))));
  return file;
}

/** Node has no GB18030 encoder; the test needs only the bytes of a few known characters. */
function encodeGb18030(text: string): number[] {
  const table: Record<string, number[]> = { 户: [0xbb, 0xa7], 编: [0xb1, 0xe0], 号: [0xba, 0xc5] };
  return [...text].flatMap((ch) => table[ch] ?? [...Buffer.from(ch)]);
}

describe('ID-card numbers (GB 11643)', () => {
  it('computes the check character and names what is wrong', () => {
    expect(checkCharacter('43098119900101123')).toBe('7');
    expect(checkCharacter('11010519491231002')).toBe('X');
    expect(idNumberProblem('430981199001011237', TODAY)).toBeUndefined();
    expect(idNumberProblem('11010519491231002x', TODAY)).toBeUndefined();
    expect(idNumberProblem('430981199001011238', TODAY)).toBe('校验码不符');
    expect(idNumberProblem('43098119900101123', TODAY)).toContain('18 位');
    expect(idNumberProblem('430981199002301231', TODAY)).toContain('出生日期');
    expect(idNumberProblem('430981209001011239', TODAY)).toContain('出生日期');
  });

  it('masks numbers and names for every report', () => {
    expect(maskIdNumber('430981199001011234')).toBe('430981********1234');
    expect(maskIdNumber('43098119900101123')).toBe('430981*******1123');
    expect(maskIdNumber('123')).toBe('***');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳明月')).toBe('欧***');
  });
});

const HEADER_ZH = '户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期,联系电话';
const good = (id: string, person: string, idNo: string, cleared = '') => `${id},${person},${idNo},v-pine,边缘易致贫户,因病、因学,2025-03-01,${cleared},13800000000`;

describe('reading and validating a household file', () => {
  it('validates every row and reports row, column, masked value and reason', async () => {
    const file = csv(
      'bad.csv',
      [
        HEADER_ZH,
        good('H1', '王小明', '430981199001011237', '2026-05-20'),
        good('H2', '李四', '430981199001011238'),
        'H3,赵六,430981198506150027,不存在村,困难户,因穷,2025-13-01,,',
        good('H1', '王小明', '430981199001011237'),
        good('H4', '钱七', '430981199001011237'),
      ].join('\n'),
    );
    const table = await readHouseholdFile(file);
    expect(table.ignored).toEqual(['联系电话']);
    const { records, issues } = validateRows(table, tree, TODAY);
    expect(records.map((r) => r.record.householdId)).toEqual(['H1']);
    const report = issues.map((i) => `${i.line}|${i.path}|${String(i.value)}|${i.message}`);
    expect(report).toEqual([
      '3|身份证号|430981********1238|校验码不符',
      '4|所在村|不存在村|名册中没有该村(填村编号或村名)',
      `4|监测类型|困难户|应为 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户 之一`,
      expect.stringMatching(/^4\|风险类型\|因穷\|未知风险类型"因穷"/),
      '4|识别日期|2025-13-01|不是有效日期(如 2026-03-15)',
      '5|户编号|H1|与第 2 行重复',
      '6|身份证号|430981********1237|与第 2 行(户 H1)为同一人',
    ]);
    // Nothing personal in the report beyond masked values.
    expect(JSON.stringify(issues)).not.toMatch(/王小明|李四|430981199001011238/);
  });

  it('accepts the English column ids, village names and other date spellings', async () => {
    const file = csv(
      'en.csv',
      ['householdId,headName,idNumber,villageId,monitoringType,riskTypes,identifiedOn,riskClearedOn', 'E1,测试,11010519491231002x,松村,marginal,illness housing,2025/3/1,2026年5月20日'].join('\n'),
    );
    const { records, issues } = validateRows(await readHouseholdFile(file), tree, TODAY);
    expect(issues).toEqual([]);
    expect(records[0]?.record).toEqual({
      householdId: 'E1',
      headName: '测试',
      idNumber: '11010519491231002X',
      villageId: 'v-pine',
      monitoringType: '边缘易致贫户',
      riskTypes: ['因病', '住房安全'],
      identifiedOn: '2025-03-01',
      riskClearedOn: '2026-05-20',
    });
  });

  it('names missing columns with both header names', async () => {
    const file = csv('cols.csv', '户编号,户主姓名\nH1,某');
    const err = await readHouseholdFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('缺少必需的列"身份证号"(英文列名 idNumber)');
  });

  it('reads a GB18030 CSV as Excel saves it on Chinese Windows', async () => {
    const file = csv('gbk.csv', '户编号,户主姓名\nH1,某', 'gb18030');
    const err = await readHouseholdFile(file).catch((e: unknown) => e);
    // The header was decoded (户编号 recognised), so only the other columns are reported missing.
    expect((err as Error).message).not.toContain('缺少必需的列"户编号"');
    expect((err as Error).message).toContain('缺少必需的列"身份证号"');
  });

  it('reads XLSX, and refuses an ID number Excel stored as a number', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('监测对象');
    sheet.addRow(HEADER_ZH.split(','));
    sheet.addRow(['X1', '孙八', '430981200103204561', 'v-pine', '脱贫不稳定户', '因残', new Date(Date.UTC(2025, 2, 1)), '', '']);
    sheet.addRow(['X2', '周九', Number('430981198506150027'), 'v-pine', '脱贫不稳定户', '因残', '2025-03-01', '', '']);
    const file = path.join(dir, 'book.xlsx');
    await book.xlsx.writeFile(file);
    const { records, issues } = validateRows(await readHouseholdFile(file), tree, TODAY);
    expect(records.map((r) => [r.row, r.record.identifiedOn])).toEqual([[2, '2025-03-01']]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 3, path: '身份证号', message: expect.stringContaining('Excel 把身份证号存成了数字') });
    expect(String(issues[0]?.value)).not.toContain('19850615');
  });
});
