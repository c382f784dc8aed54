import { scheduleSpecFor, SOLAR_TERM_YEARS } from '../../src/schedules/spec';
import type { Duty } from '../../src/shared/types';
import { villageReport } from '../fixtures/org';

const withRecurrence = (recurrence: Duty['recurrence']) => ({ ...villageReport, recurrence }) as Duty & { recurrence: Exclude<Duty['recurrence'], { kind: 'triggered' }> };

test('monthly duties open on the 1st at 07:00 Shanghai time', () => {
  expect(scheduleSpecFor(withRecurrence({ kind: 'monthly' }))).toEqual({
    calendars: [{ dayOfMonth: 1, hour: 7, month: '*' }],
    timezone: 'Asia/Shanghai',
  });
});

test('quarterly and half-yearly duties open on the first day of their months', () => {
  const quarterly = scheduleSpecFor(withRecurrence({ kind: 'quarterly' })).calendars?.[0];
  expect(quarterly?.month).toEqual(['JANUARY', 'APRIL', 'JULY', 'OCTOBER'].map((m) => ({ start: m, end: m })));
  const halfYearly = scheduleSpecFor(withRecurrence({ kind: 'half-yearly' })).calendars?.[0];
  expect(halfYearly?.month).toEqual(['JANUARY', 'JULY'].map((m) => ({ start: m, end: m })));
});

test("solar-term windows open on each year's exact term date", () => {
  const spec = scheduleSpecFor(withRecurrence({ kind: 'seasonal', season: 'spring', window: { fromTerm: '立春', toTerm: '立夏' } }));
  expect(spec.calendars).toHaveLength(SOLAR_TERM_YEARS.to - SOLAR_TERM_YEARS.from + 1);
  expect(spec.calendars?.find((c) => c.year === 2026)).toMatchObject({ month: 'FEBRUARY', dayOfMonth: 4, hour: 7 });
  const winter = scheduleSpecFor(withRecurrence({ kind: 'seasonal', season: 'winter', window: { fromTerm: '立冬', toTerm: '立春' } }));
  expect(winter.calendars?.find((c) => c.year === 2026)).toMatchObject({ month: 'NOVEMBER', dayOfMonth: 7 });
});

test('month-range windows open on the first day of their first month', () => {
  const spec = scheduleSpecFor(withRecurrence({ kind: 'seasonal', season: 'winter', window: { fromMonth: 11, toMonth: 1 } }));
  expect(spec.calendars?.[0]?.month).toEqual([{ start: 'NOVEMBER', end: 'NOVEMBER' }]);
});
