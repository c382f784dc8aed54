import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DateTime } from 'luxon';
import { CalendarError, UsageError, ValidationError } from '../../src/errors';
import { days } from './fixtures';
import { loadWorkCalendar } from '../../src/sources/holidays';

const savedEnv = process.env.DUTY_HOLIDAYS_FILE;
beforeEach(() => {
  delete process.env.DUTY_HOLIDAYS_FILE;
});
afterAll(() => {
  if (savedEnv === undefined) delete process.env.DUTY_HOLIDAYS_FILE;
  else process.env.DUTY_HOLIDAYS_FILE = savedEnv;
});

/** The State Council notices (国办发明电〔2024〕12号 for 2025; the 2026 notice of November 2025). */
const NOTICES: Record<number, { off: string[][]; makeUp: string[] }> = {
  2025: {
    off: [
      ['2025-01-01', '2025-01-01'], // 元旦
      ['2025-01-28', '2025-02-04'], // 春节
      ['2025-04-04', '2025-04-06'], // 清明
      ['2025-05-01', '2025-05-05'], // 劳动节
      ['2025-05-31', '2025-06-02'], // 端午
      ['2025-10-01', '2025-10-08'], // 国庆 + 中秋
    ],
    makeUp: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    off: [
      ['2026-01-01', '2026-01-03'], // 元旦
      ['2026-02-15', '2026-02-23'], // 春节
      ['2026-04-04', '2026-04-06'], // 清明
      ['2026-05-01', '2026-05-05'], // 劳动节
      ['2026-06-19', '2026-06-21'], // 端午
      ['2026-09-25', '2026-09-27'], // 中秋
      ['2026-10-01', '2026-10-07'], // 国庆
    ],
    makeUp: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duty-holidays-'));
  const file = path.join(dir, 'holidays.json');
  fs.writeFileSync(file, content);
  return file;
}

describe('official holiday arrangements', () => {
  const cal = loadWorkCalendar();

  describe.each([2025, 2026])('%i matches the State Council notice', (year) => {
    const notice = NOTICES[year]!;
    const off = new Set(notice.off.flatMap(([from, to]) => days(from!, to!)));
    const makeUp = new Set(notice.makeUp);

    test('make-up days are weekends, and every day of the year is classified as the notice says', () => {
      for (const d of makeUp) expect(DateTime.fromISO(d).weekday).toBeGreaterThanOrEqual(6);
      const wrong = days(`${year}-01-01`, `${year}-12-31`).filter((d) => {
        const weekday = DateTime.fromISO(d).weekday <= 5;
        const expected = makeUp.has(d) || (weekday && !off.has(d));
        return cal.isWorkday(d) !== expected;
      });
      expect(wrong).toEqual([]);
    });

    test('has official data', () => {
      expect(cal.hasData(year)).toBe(true);
      expect(cal.isProvisional(`${year}-06-01`)).toBe(false);
    });
  });

  test('spot checks', () => {
    expect(cal.isWorkday('2026-02-14')).toBe(true); // Saturday, make-up day
    expect(cal.isWorkday('2026-02-16')).toBe(false); // Monday, Spring Festival
    expect(cal.isWorkday('2026-03-14')).toBe(false); // ordinary Saturday
    expect(cal.isWorkday('2026-03-16')).toBe(true); // ordinary Monday
  });

  test('coverage is read from the package data, not hard-coded', () => {
    const years = cal.coverage().map((c) => c.year);
    expect(years).toEqual(expect.arrayContaining([2024, 2025, 2026]));
    expect(cal.coverage().find((c) => c.year === 2026)?.source).toBe('chinese-days');
    expect(cal.hasData(2027)).toBe(false);
    expect(cal.hasData(2028)).toBe(false);
  });

  test('a year without data is weekends-only and marked provisional, never guessed', () => {
    // 2027-10-01 is a Friday: National Day for sure, but without the notice we must not invent it.
    expect(cal.isWorkday('2027-10-01')).toBe(true);
    expect(cal.isWorkday('2027-10-02')).toBe(false);
    expect(cal.isProvisional('2027-10-01')).toBe(true);
    expect(cal.shift('2027-10-02', 'next-working-day')).toEqual({ date: '2027-10-04', provisional: true });
    expect(cal.addWorkingDays('2028-02-29', 1)).toEqual({ date: '2028-03-01', provisional: true });
  });

  test('an answer crossing into a year without data is provisional', () => {
    expect(cal.addWorkingDays('2026-12-30', 3)).toEqual({ date: '2027-01-04', provisional: true });
    expect(cal.addWorkingDays('2026-12-30', 1)).toEqual({ date: '2026-12-31', provisional: false });
  });
});

describe('override file', () => {
  test('makes a year official without a code change', () => {
    const file = tempFile(
      JSON.stringify({ '2027': { holidays: ['2027-01-01', '2027-10-01', '2027-10-04'], workdays: ['2027-09-26'] } }),
    );
    const cal = loadWorkCalendar({ overrideFile: file });
    expect(cal.hasData(2027)).toBe(true);
    expect(cal.coverage().find((c) => c.year === 2027)?.source).toBe(file);
    expect(cal.isWorkday('2027-10-01')).toBe(false);
    expect(cal.isWorkday('2027-09-26')).toBe(true); // Sunday made a working day
    expect(cal.shift('2027-10-01', 'next-working-day')).toEqual({ date: '2027-10-05', provisional: false });
    expect(cal.hasData(2028)).toBe(false);
  });

  test('replaces a whole year of package data', () => {
    const file = tempFile(JSON.stringify({ '2026': { holidays: ['2026-03-02'], workdays: [] } }));
    const cal = loadWorkCalendar({ overrideFile: file });
    expect(cal.isWorkday('2026-03-02')).toBe(false);
    expect(cal.isWorkday('2026-02-16')).toBe(true); // no longer listed
    expect(cal.isWorkday('2026-02-14')).toBe(false); // make-up Saturday no longer listed
    expect(cal.isWorkday('2025-01-28')).toBe(false); // other years untouched
  });

  test('is read from DUTY_HOLIDAYS_FILE when no file is given', () => {
    process.env.DUTY_HOLIDAYS_FILE = tempFile(JSON.stringify({ '2028': { holidays: ['2028-01-03'], workdays: [] } }));
    const cal = loadWorkCalendar();
    expect(cal.hasData(2028)).toBe(true);
    expect(cal.isWorkday('2028-01-03')).toBe(false);
  });

  test('a missing explicit file is an error naming it', () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir-duty', 'holidays.json');
    expect(() => loadWorkCalendar({ overrideFile: missing })).toThrow(CalendarError);
    expect(() => loadWorkCalendar({ overrideFile: missing })).toThrow(missing);
  });

  test.each([
    ['not JSON', '{"2027": ', '不是合法的 JSON'],
    ['a bad date', JSON.stringify({ '2027': { holidays: ['2027-02-30'], workdays: [] } }), '"2027".holidays[0]'],
    ['a weekday make-up day', JSON.stringify({ '2027': { holidays: [], workdays: ['2027-03-03'] } }), '"2027".workdays[0]'],
    ['a missing list', JSON.stringify({ '2027': { holidays: [] } }), '"2027".workdays'],
    ['a bad year key', JSON.stringify({ '27': { holidays: [], workdays: [] } }), '"27"'],
    ['a date far from its year', JSON.stringify({ '2027': { holidays: ['2029-01-01'], workdays: [] } }), '"2027".holidays[0]'],
    ['a day both off and on', JSON.stringify({ '2027': { holidays: ['2027-02-06'], workdays: ['2027-02-06'] } }), '2027-02-06'],
    ['a holiday listed twice', JSON.stringify({ '2027': { holidays: ['2027-02-06', '2027-02-06'], workdays: [] } }), '2027.holidays[1]: 同一日期在 holidays 中重复列出'],
  ])('malformed content (%s) is refused as bad input naming the file and entry', (_name, content, entry) => {
    const file = tempFile(content);
    let error: unknown;
    try {
      loadWorkCalendar({ overrideFile: file });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(entry.replace(/"/g, ''));
  });

  test('every problem of a file is reported at once, each with its line', () => {
    const content = ['{', '  "2027": {', '    "holidays": ["2027-02-06", "2027-02-06"],', '    "workdays": ["2027-03-03"]', '  }', '}'].join('\n');
    const file = tempFile(content);
    let error: unknown;
    try {
      loadWorkCalendar({ overrideFile: file });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.line, i.path])).toEqual([
      [3, '2027.holidays[1]'],
      [4, '2027.workdays[0]'],
    ]);
  });

  test('the shipped default file is an empty object', () => {
    expect(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../data/holidays.json'), 'utf8'))).toEqual({});
  });
});

describe('date validation', () => {
  const cal = loadWorkCalendar();
  test.each(['2026-02-30', '2026-13-01', '2026-3-1', '20260301', '', 'tomorrow'])('refuses %p naming the value', (bad) => {
    expect(() => cal.isWorkday(bad)).toThrow(UsageError);
    expect(() => cal.isWorkday(bad)).toThrow(JSON.stringify(bad));
    expect(() => cal.shift(bad, 'next-working-day')).toThrow(UsageError);
    expect(() => cal.addWorkingDays(bad, 1)).toThrow(UsageError);
  });

  test('refuses fractional working-day counts and unknown shift policies', () => {
    expect(() => cal.addWorkingDays('2026-03-02', 1.5)).toThrow(UsageError);
    expect(() => cal.shift('2026-03-02', 'later' as never)).toThrow(UsageError);
  });
});
