import { greenFrom, lightOf, type LightTask } from '../../src/calendar';
import type { TaskFlag, TaskStatus } from '../../src/shared/searchAttributes';
import { loadWorkCalendar } from '../../src/sources/holidays';

const cal = loadWorkCalendar({ overrideFile: require.resolve('../../data/holidays.json') });

/** A task due at 18:00 (Shanghai) on `dueOn`. */
function task(dueOn: string, status: TaskStatus = 'open', flags: TaskFlag[] = []): LightTask {
  return { status, flags, dueAt: new Date(`${dueOn}T18:00:00+08:00`) };
}

const at = (instant: string) => new Date(instant);

describe('working days left: today excluded, the deadline day included', () => {
  // Friday 2026-03-13, mid-morning: Mon 16, Tue 17, Wed 18 are the next three working days.
  const friday = at('2026-03-13T10:00:00+08:00');

  test('a deadline later today has no working day left: yellow', () => {
    expect(lightOf(task('2026-03-13'), friday, cal)).toBe('yellow');
  });

  test('exactly N working days left is yellow, N + 1 is green, across the weekend', () => {
    expect(lightOf(task('2026-03-18'), friday, cal)).toBe('yellow');
    expect(lightOf(task('2026-03-19'), friday, cal)).toBe('green');
  });

  test('a deadline left on a weekend day adds no working day', () => {
    expect(lightOf(task('2026-03-15'), friday, cal)).toBe('yellow');
    // From Tuesday 17, Saturday 21 has three working days before it (Wed, Thu, Fri): yellow, though Fri is the third.
    const tuesday = at('2026-03-17T10:00:00+08:00');
    expect(lightOf(task('2026-03-21'), tuesday, cal)).toBe('yellow');
    expect(lightOf(task('2026-03-23'), tuesday, cal)).toBe('green');
  });

  test('counted from a weekend day, the next three working days are still yellow', () => {
    const sunday = at('2026-03-15T09:00:00+08:00');
    expect(lightOf(task('2026-03-18'), sunday, cal)).toBe('yellow');
    expect(lightOf(task('2026-03-19'), sunday, cal)).toBe('green');
  });

  test('N is configurable; 0 makes only deadlines before the next working day yellow', () => {
    expect(lightOf(task('2026-03-16'), friday, cal, 0)).toBe('green');
    expect(lightOf(task('2026-03-15'), friday, cal, 0)).toBe('yellow');
    expect(lightOf(task('2026-03-19'), friday, cal, 4)).toBe('yellow');
    expect(lightOf(task('2026-03-20'), friday, cal, 4)).toBe('green');
  });

  test('the Spring Festival: thirteen calendar days away can still be yellow', () => {
    // Fri 2026-02-13; Sat 14 is a make-up working day, 15–23 the holiday, then Tue 24, Wed 25, Thu 26.
    const beforeHoliday = at('2026-02-13T10:00:00+08:00');
    expect(lightOf(task('2026-02-14'), beforeHoliday, cal)).toBe('yellow');
    expect(lightOf(task('2026-02-25'), beforeHoliday, cal)).toBe('yellow');
    expect(lightOf(task('2026-02-26'), beforeHoliday, cal)).toBe('green');
    expect(greenFrom(beforeHoliday, cal)).toEqual(at('2026-02-26T00:00:00+08:00'));
  });

  test('in the middle of the holiday the lights wait for it to end', () => {
    const inHoliday = at('2026-02-18T10:00:00+08:00');
    expect(lightOf(task('2026-02-26'), inHoliday, cal)).toBe('yellow');
    expect(lightOf(task('2026-02-27'), inHoliday, cal)).toBe('green');
  });
});

describe('red, and the marks of their own', () => {
  const now = at('2026-03-13T10:00:00+08:00');

  test('overdue is red, by status or because the deadline has passed before visibility says so', () => {
    expect(lightOf(task('2026-03-12', 'overdue'), now, cal)).toBe('red');
    expect(lightOf(task('2026-03-12'), now, cal)).toBe('red');
    expect(lightOf(task('2026-03-13'), at('2026-03-13T18:00:00.001+08:00'), cal)).toBe('red');
  });

  test('an extended task is marked extended until its new deadline passes, then it is red', () => {
    expect(lightOf(task('2026-03-30', 'open', ['extended']), now, cal)).toBe('extended');
    expect(lightOf(task('2026-03-16', 'open', ['progress', 'extended']), now, cal)).toBe('extended');
    expect(lightOf(task('2026-03-12', 'overdue', ['extended']), now, cal)).toBe('red');
    expect(lightOf(task('2026-03-12', 'open', ['extended']), now, cal)).toBe('red');
  });

  test('other flags leave the colour alone', () => {
    expect(lightOf(task('2026-03-30', 'open', ['unacknowledged', 'extensionRequested', 'returned']), now, cal)).toBe('green');
  });

  test('waiting for review, done and waived have their own marks whatever the deadline', () => {
    for (const dueOn of ['2026-03-01', '2026-03-16', '2026-04-30']) {
      expect(lightOf(task(dueOn, 'review', ['returned']), now, cal)).toBe('review');
      expect(lightOf(task(dueOn, 'done', ['extended']), now, cal)).toBe('done');
      expect(lightOf(task(dueOn, 'waived'), now, cal)).toBe('waived');
    }
  });

  test('a bad threshold is refused in words', () => {
    expect(() => lightOf(task('2026-03-16'), now, cal, -1)).toThrow('黄灯天数无效: -1,应为非负整数(工作日)');
    expect(() => lightOf(task('2026-03-16'), now, cal, 1.5)).toThrow('黄灯天数无效');
  });
});
