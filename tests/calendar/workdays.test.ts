import { loadWorkCalendar } from '../../src/sources/holidays';

const cal = loadWorkCalendar({ overrideFile: require.resolve('../../data/holidays.json') });

describe('shift', () => {
  test('a deadline in the Spring Festival moves to the first working day after it (顺延)', () => {
    expect(cal.shift('2026-02-15', 'next-working-day')).toEqual({ date: '2026-02-24', provisional: false });
  });

  test('previous-working-day lands on the make-up Saturday before the holiday', () => {
    expect(cal.shift('2026-02-15', 'previous-working-day')).toEqual({ date: '2026-02-14', provisional: false });
  });

  test('none keeps the day off', () => {
    expect(cal.shift('2026-02-15', 'none')).toEqual({ date: '2026-02-15', provisional: false });
  });

  test('a working day stays put under every policy', () => {
    for (const policy of ['next-working-day', 'previous-working-day', 'none'] as const) {
      expect(cal.shift('2026-02-28', policy).date).toBe('2026-02-28'); // make-up Saturday
      expect(cal.shift('2026-03-16', policy).date).toBe('2026-03-16');
    }
  });

  test('ordinary weekends and National Day', () => {
    expect(cal.shift('2026-03-15', 'next-working-day').date).toBe('2026-03-16');
    expect(cal.shift('2026-03-15', 'previous-working-day').date).toBe('2026-03-13');
    expect(cal.shift('2026-10-01', 'next-working-day').date).toBe('2026-10-08');
    expect(cal.shift('2026-10-01', 'previous-working-day').date).toBe('2026-09-30');
    expect(cal.shift('2025-10-05', 'next-working-day').date).toBe('2025-10-09');
  });
});

describe('addWorkingDays', () => {
  test('zero returns the date itself, even on a day off', () => {
    expect(cal.addWorkingDays('2026-02-15', 0)).toEqual({ date: '2026-02-15', provisional: false });
  });

  test('skips holidays and counts make-up days', () => {
    expect(cal.addWorkingDays('2026-02-13', 1).date).toBe('2026-02-14');
    expect(cal.addWorkingDays('2026-02-14', 1).date).toBe('2026-02-24');
    expect(cal.addWorkingDays('2026-02-24', -1).date).toBe('2026-02-14');
    expect(cal.addWorkingDays('2026-10-15', -3).date).toBe('2026-10-12');
    expect(cal.addWorkingDays('2026-10-09', -2).date).toBe('2026-09-30');
    expect(cal.addWorkingDays('2026-09-30', 2).date).toBe('2026-10-09');
  });

  test('counting from a day off', () => {
    expect(cal.addWorkingDays('2026-02-15', 1).date).toBe('2026-02-24');
    expect(cal.addWorkingDays('2026-02-15', -1).date).toBe('2026-02-14');
  });

  test('always lands on a working day', () => {
    for (let n = -40; n <= 40; n += 1) {
      if (n === 0) continue;
      expect(cal.isWorkday(cal.addWorkingDays('2026-02-18', n).date)).toBe(true);
    }
  });
});
