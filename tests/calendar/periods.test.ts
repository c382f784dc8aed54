import { labelFormat, periodByLabel, periodContaining, periodsStartingBetween, solarTermDate } from '../../src/calendar';
import { CalendarError, UsageError } from '../../src/errors';
import type { ScheduledRecurrence } from '../../src/shared/types';

const monthly: ScheduledRecurrence = { kind: 'monthly' };
const quarterly: ScheduledRecurrence = { kind: 'quarterly' };
const halfYearly: ScheduledRecurrence = { kind: 'half-yearly' };
const yearly: ScheduledRecurrence = { kind: 'yearly' };
const spring: ScheduledRecurrence = { kind: 'seasonal', season: 'spring', window: { fromTerm: '立春', toTerm: '立夏' } };
const winter: ScheduledRecurrence = { kind: 'seasonal', season: 'winter', window: { fromTerm: '立冬', toTerm: '立春' } };
const winterMonths: ScheduledRecurrence = { kind: 'seasonal', season: 'winter', window: { fromMonth: 11, toMonth: 1 } };
const summerMonths: ScheduledRecurrence = { kind: 'seasonal', season: 'summer', window: { fromMonth: 6, toMonth: 8 } };

describe('calendar periods', () => {
  test.each([
    [monthly, '2026-03-15', { label: '2026-03', start: '2026-03-01', end: '2026-03-31' }],
    [monthly, '2026-02-01', { label: '2026-02', start: '2026-02-01', end: '2026-02-28' }],
    [monthly, '2028-02-10', { label: '2028-02', start: '2028-02-01', end: '2028-02-29' }],
    [quarterly, '2026-02-15', { label: '2026-Q1', start: '2026-01-01', end: '2026-03-31' }],
    [quarterly, '2026-06-30', { label: '2026-Q2', start: '2026-04-01', end: '2026-06-30' }],
    [quarterly, '2026-09-01', { label: '2026-Q3', start: '2026-07-01', end: '2026-09-30' }],
    [quarterly, '2026-12-31', { label: '2026-Q4', start: '2026-10-01', end: '2026-12-31' }],
    [halfYearly, '2026-06-30', { label: '2026-H1', start: '2026-01-01', end: '2026-06-30' }],
    [halfYearly, '2026-07-01', { label: '2026-H2', start: '2026-07-01', end: '2026-12-31' }],
    [yearly, '2026-05-05', { label: '2026', start: '2026-01-01', end: '2026-12-31' }],
  ])('%o containing %s', (rec, date, expected) => {
    expect(periodContaining(rec, date)).toEqual(expected);
    expect(periodByLabel(rec, expected.label)).toEqual(expected);
  });

  test('periods starting in a range, in order', () => {
    expect(periodsStartingBetween(monthly, '2026-01-15', '2026-04-01').map((p) => p.label)).toEqual([
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
    expect(periodsStartingBetween(quarterly, '2026-01-01', '2026-12-31').map((p) => p.label)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
    expect(periodsStartingBetween(halfYearly, '2026-01-02', '2027-01-01').map((p) => p.label)).toEqual(['2026-H2', '2027-H1']);
    expect(periodsStartingBetween(yearly, '2026-01-02', '2026-12-31')).toEqual([]);
    expect(() => periodsStartingBetween(monthly, '2026-05-01', '2026-04-01')).toThrow(UsageError);
  });
});

describe('labels', () => {
  test.each([
    [monthly, '2026-3'],
    [monthly, '2026-13'],
    [monthly, '2026-Q1'],
    [quarterly, '2026-Q5'],
    [quarterly, '2026-03'],
    [halfYearly, '2026-H3'],
    [yearly, '26'],
    [spring, '2026-summer'],
    [spring, 'spring'],
  ])('%o refuses %p with the expected format in Chinese', (rec, label) => {
    expect(() => periodByLabel(rec, label)).toThrow(UsageError);
    expect(() => periodByLabel(rec, label)).toThrow(labelFormat(rec));
    expect(() => periodByLabel(rec, label)).toThrow(/应为/);
  });

  test('formats', () => {
    expect(labelFormat(monthly)).toContain('YYYY-MM');
    expect(labelFormat(quarterly)).toContain('2026-Q1');
    expect(labelFormat(halfYearly)).toContain('2026-H1');
    expect(labelFormat(spring)).toContain('2026-spring');
  });
});

describe('solar terms', () => {
  test('2026 dates', () => {
    expect(solarTermDate('立春', 2026)).toBe('2026-02-04');
    expect(solarTermDate('立夏', 2026)).toBe('2026-05-05');
    expect(solarTermDate('立秋', 2026)).toBe('2026-08-07');
    expect(solarTermDate('立冬', 2026)).toBe('2026-11-07');
    expect(solarTermDate('立春', 2025)).toBe('2025-02-03');
    expect(solarTermDate('立春', 2027)).toBe('2027-02-04');
  });

  test('unknown terms and years outside the formula are refused', () => {
    expect(() => solarTermDate('冬至' as never, 2026)).toThrow(UsageError);
    expect(() => solarTermDate('立春', 2100)).toThrow(CalendarError);
  });
});

describe('seasonal windows', () => {
  test('solar-term window runs to the day before the end term', () => {
    expect(periodByLabel(spring, '2026-spring')).toEqual({ label: '2026-spring', start: '2026-02-04', end: '2026-05-04' });
    expect(periodContaining(spring, '2026-05-04')?.label).toBe('2026-spring');
    expect(periodContaining(spring, '2026-05-05')).toBeUndefined();
    expect(periodContaining(spring, '2026-02-03')).toBeUndefined();
  });

  test('winter wraps into the next year and is labelled by its starting year', () => {
    const w = periodByLabel(winter, '2026-winter');
    expect(w).toEqual({ label: '2026-winter', start: '2026-11-07', end: '2027-02-03' });
    expect(periodContaining(winter, '2027-01-15')).toEqual(w);
    expect(periodContaining(winter, '2026-01-15')?.label).toBe('2025-winter');
  });

  test('month windows are inclusive and may wrap the year end', () => {
    expect(periodByLabel(winterMonths, '2026-winter')).toEqual({ label: '2026-winter', start: '2026-11-01', end: '2027-01-31' });
    expect(periodContaining(winterMonths, '2027-01-31')?.label).toBe('2026-winter');
    expect(periodContaining(winterMonths, '2027-02-01')).toBeUndefined();
    expect(periodByLabel(summerMonths, '2026-summer')).toEqual({ label: '2026-summer', start: '2026-06-01', end: '2026-08-31' });
  });

  test('periods starting in a range', () => {
    expect(periodsStartingBetween(winter, '2026-01-01', '2027-12-31').map((p) => p.label)).toEqual([
      '2026-winter',
      '2027-winter',
    ]);
    expect(periodsStartingBetween(spring, '2026-02-05', '2026-12-31')).toEqual([]);
  });

  test('a bad month window is refused', () => {
    const bad: ScheduledRecurrence = { kind: 'seasonal', season: 'x', window: { fromMonth: 0, toMonth: 3 } };
    expect(() => periodByLabel(bad, '2026-x')).toThrow(UsageError);
  });
});

describe('bad input', () => {
  test('bad dates are refused naming the value', () => {
    expect(() => periodContaining(monthly, '2026-02-30')).toThrow(UsageError);
    expect(() => periodContaining(monthly, '2026-02-30')).toThrow('"2026-02-30"');
  });

  test('a triggered recurrence has no calendar', () => {
    const triggered = { kind: 'triggered', event: 'risk-cleared', count: 4, everyMonths: 3 } as unknown as ScheduledRecurrence;
    expect(() => periodContaining(triggered, '2026-03-01')).toThrow(UsageError);
  });
});

describe('host time zone', () => {
  // chinese-days formats UTC midnight with the host's local getters; west of UTC it reports the day before.
  test('solar-term dates do not depend on the TZ of the process', () => {
    const { execFileSync } = jest.requireActual<typeof import('node:child_process')>('node:child_process');
    const path = jest.requireActual<typeof import('node:path')>('node:path');
    const root = path.resolve(__dirname, '../..');
    const script = "const c = require('./src/calendar'); console.log(c.solarTermDate('立春', 2026), c.WorkCalendar.withOverrides().isWorkday('2026-02-14'))";
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati']) {
      const out = execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['-e', script], {
        cwd: root,
        env: { ...process.env, TZ: tz, DUTY_HOLIDAYS_FILE: '' },
        encoding: 'utf8',
      });
      expect(out.trim()).toBe('2026-02-04 true');
    }
  });
});
