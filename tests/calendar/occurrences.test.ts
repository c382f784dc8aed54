import { planOccurrences, previewDuty, periodByLabel } from '../../src/calendar';
import { CalendarError, UsageError } from '../../src/errors';
import type { Duty, Occurrence, ScheduledRecurrence } from '../../src/shared/types';
import { duty, localDateOf } from './fixtures';
import { loadWorkCalendar } from '../../src/sources/holidays';

const cal = loadWorkCalendar({ overrideFile: require.resolve('../../data/holidays.json') });
const monthly: ScheduledRecurrence = { kind: 'monthly' };
const quarterly: ScheduledRecurrence = { kind: 'quarterly' };
const halfYearly: ScheduledRecurrence = { kind: 'half-yearly' };

function one(d: Duty, label: string): Occurrence {
  const rec = d.recurrence as ScheduledRecurrence;
  const occurrences = planOccurrences(d, periodByLabel(rec, label), cal);
  expect(occurrences).toHaveLength(1);
  return occurrences[0]!;
}

describe('deadlines', () => {
  test('the 15th of March 2026 is a Sunday and moves to Monday the 16th', () => {
    expect(one(duty(), '2026-03')).toEqual({
      dutyId: 'monthly-data-import',
      period: '2026-03',
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
      opensOn: '2026-03-01',
      opensAt: '2026-03-01T08:00:00.000+08:00',
      nominalDueOn: '2026-03-15',
      dueOn: '2026-03-16',
      dueAt: '2026-03-16T18:00:00.000+08:00',
      reminders: ['2026-03-11T09:00:00.000+08:00', '2026-03-13T09:00:00.000+08:00', '2026-03-16T09:00:00.000+08:00'],
      provisional: false,
    });
  });

  test('a deadline in the Spring Festival follows the duty shift policy', () => {
    expect(one(duty(), '2026-02').dueOn).toBe('2026-02-24');
    expect(one(duty({ shift: 'previous-working-day' }), '2026-02').dueOn).toBe('2026-02-14');
    expect(one(duty({ shift: 'none' }), '2026-02').dueOn).toBe('2026-02-15');
  });

  test.each([
    [monthly, '2026-02', '2026-02-28'],
    [monthly, '2028-02', '2028-02-29'],
    [monthly, '2026-04', '2026-04-30'],
    [quarterly, '2026-Q1', '2026-03-31'],
    [quarterly, '2026-Q3', '2026-09-30'],
    [halfYearly, '2026-H1', '2026-06-30'],
    [halfYearly, '2028-H2', '2028-12-31'],
  ])('end of period %o %s is %s', (recurrence, label, end) => {
    const o = one(duty({ recurrence, deadline: { endOfPeriod: true }, shift: 'none' }), label);
    expect(o.nominalDueOn).toBe(end);
    expect(o.dueOn).toBe(end);
  });

  test('a day beyond the period end is a CalendarError', () => {
    expect(() => one(duty({ deadline: { day: 30 } }), '2026-02')).toThrow(CalendarError);
    expect(() => one(duty({ deadline: { day: 30 } }), '2026-02')).toThrow('2026-02');
    expect(one(duty({ deadline: { day: 29 } }), '2028-02').nominalDueOn).toBe('2028-02-29');
  });
});

describe('opening', () => {
  test('N calendar days before the shifted deadline, never before the period start', () => {
    expect(one(duty({ opens: { daysBeforeDue: 10 } }), '2026-03')).toMatchObject({
      opensOn: '2026-03-06',
      opensAt: '2026-03-06T08:00:00.000+08:00',
    });
    expect(one(duty({ opens: { daysBeforeDue: 30 } }), '2026-03').opensOn).toBe('2026-03-01');
  });

  test('a late opening simply gets fewer reminders', () => {
    const o = one(duty({ opens: { daysBeforeDue: 3 } }), '2026-03');
    expect(o.opensAt).toBe('2026-03-13T08:00:00.000+08:00');
    expect(o.reminders).toEqual(['2026-03-13T09:00:00.000+08:00', '2026-03-16T09:00:00.000+08:00']);
  });

  test('opening at 08:00 after an early deadline falls back to the period start', () => {
    // 2026-02-01 is a Sunday: the deadline moves to Monday 07:00, before Monday 08:00.
    const o = one(duty({ deadline: { day: 1 }, dueTime: '07:00', opens: { daysBeforeDue: 0 } }), '2026-02');
    expect(o.dueAt).toBe('2026-02-02T07:00:00.000+08:00');
    expect(o.opensAt).toBe('2026-02-01T08:00:00.000+08:00');
  });

  test('a task never opens after its deadline', () => {
    const o = one(duty({ deadline: { day: 1 }, dueTime: '07:00', opens: { daysBeforeDue: 0 } }), '2026-04');
    expect(Date.parse(o.opensAt)).toBeLessThanOrEqual(Date.parse(o.dueAt));
  });
});

describe('reminders', () => {
  test('working days before 2026-10-15', () => {
    const o = one(duty({ reminders: { workingDaysBefore: [3, 1], onDueDay: false, sendAt: '09:00' } }), '2026-10');
    expect(o.reminders).toEqual(['2026-10-12T09:00:00.000+08:00', '2026-10-14T09:00:00.000+08:00']);
  });

  test('skip National Day and use the make-up Saturday', () => {
    const o = one(duty({ deadline: { day: 12 }, reminders: { workingDaysBefore: [1, 3], onDueDay: false, sendAt: '09:00' } }), '2026-10');
    expect(o.dueOn).toBe('2026-10-12');
    expect(o.reminders).toEqual(['2026-10-08T09:00:00.000+08:00', '2026-10-10T09:00:00.000+08:00']);
  });

  test('skip the Spring Festival', () => {
    expect(one(duty(), '2026-02').reminders).toEqual([
      '2026-02-12T09:00:00.000+08:00',
      '2026-02-14T09:00:00.000+08:00',
      '2026-02-24T09:00:00.000+08:00',
    ]);
  });

  test('duplicates collapse and the due-day reminder needs sendAt before dueTime', () => {
    const d = duty({ reminders: { workingDaysBefore: [1, 1], onDueDay: true, sendAt: '18:00' } });
    expect(one(d, '2026-03').reminders).toEqual(['2026-03-13T18:00:00.000+08:00']);
  });

  test('no same-day reminder on a day off unless urgent', () => {
    const d = duty({ shift: 'none' });
    expect(one(d, '2026-03').reminders).not.toContain('2026-03-15T09:00:00.000+08:00');
    expect(one({ ...d, urgent: true }, '2026-03').reminders).toContain('2026-03-15T09:00:00.000+08:00');
  });

  test('over two years, none falls on a day off, outside sendAt, before opening or after the deadline', () => {
    const duties = [
      duty(),
      duty({ recurrence: quarterly, deadline: { endOfPeriod: true }, reminders: { workingDaysBefore: [5, 2, 1], onDueDay: true, sendAt: '09:00' } }),
      duty({ deadline: { day: 1 }, shift: 'previous-working-day', opens: { daysBeforeDue: 7 } }),
    ];
    const all = duties.flatMap((d) => previewDuty(d, '2025-01-01', '2026-12-31', cal));
    expect(all.length).toBeGreaterThan(40);
    for (const o of all) {
      expect(cal.isWorkday(o.dueOn)).toBe(true);
      for (const r of o.reminders) {
        expect(cal.isWorkday(localDateOf(r))).toBe(true);
        expect(r).toMatch(/T09:00:00\.000\+08:00$/);
        expect(Date.parse(r)).toBeGreaterThanOrEqual(Date.parse(o.opensAt));
        expect(Date.parse(r)).toBeLessThan(Date.parse(o.dueAt));
      }
      expect([...o.reminders].sort()).toEqual(o.reminders);
    }
  });
});

describe('phases', () => {
  const campaign = duty({
    id: 'seasonal-campaign-spring',
    recurrence: { kind: 'seasonal', season: 'spring', window: { fromTerm: '立春', toTerm: '立夏' } },
    opens: { atPeriodStart: true },
    phases: [
      { id: 'kick-off', title: '春季开门红启动', deadline: { day: 7 } },
      { id: 'mid-check', title: '中期检查', deadline: { day: 45 } },
      { id: 'summary', title: '总结', deadline: { endOfPeriod: true } },
    ],
  });

  test('one occurrence per phase with its own deadline', () => {
    const occurrences = planOccurrences(campaign, periodByLabel(campaign.recurrence as ScheduledRecurrence, '2026-spring'), cal);
    expect(occurrences.map((o) => [o.phase, o.phaseTitle, o.nominalDueOn, o.dueOn])).toEqual([
      ['kick-off', '春季开门红启动', '2026-02-10', '2026-02-10'],
      ['mid-check', '中期检查', '2026-03-20', '2026-03-20'],
      // 立夏 2026 is 05-05, so the window ends 05-04, inside the Labour Day holiday.
      ['summary', '总结', '2026-05-04', '2026-05-06'],
    ]);
    for (const o of occurrences) expect(o.period).toBe('2026-spring');
  });

  test('a phase day beyond the window is a CalendarError', () => {
    const bad = { ...campaign, phases: [{ id: 'late', title: '迟', deadline: { day: 200 } }] };
    expect(() => previewDuty(bad, '2026-01-01', '2026-12-31', cal)).toThrow(CalendarError);
  });
});

describe('provisional', () => {
  test('years without data are marked provisional', () => {
    expect(one(duty(), '2026-11').provisional).toBe(false);
    expect(one(duty(), '2027-03').provisional).toBe(true);
    expect(one(duty({ recurrence: monthly, deadline: { endOfPeriod: true } }), '2028-02').provisional).toBe(true);
  });

  test('a reminder falling back into a year with data does not hide a provisional deadline', () => {
    // 2027-01-01 is a Friday; its reminders fall in December 2026, which has data.
    const o = one(duty({ deadline: { day: 1 }, opens: { daysBeforeDue: 10 } }), '2027-01');
    expect(o.provisional).toBe(true);
  });

  test('an override file makes the year official', () => {
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const os = jest.requireActual<typeof import('node:os')>('node:os');
    const path = jest.requireActual<typeof import('node:path')>('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'duty-cal-')), 'holidays.json');
    fs.writeFileSync(file, JSON.stringify({ '2027': { holidays: ['2027-01-01'], workdays: [] } }));
    const official = loadWorkCalendar({ overrideFile: file });
    const o = planOccurrences(duty(), periodByLabel(monthly, '2027-03'), official)[0]!;
    expect(o.provisional).toBe(false);
  });
});

describe('preview', () => {
  test('all occurrences of periods starting in the range', () => {
    expect(previewDuty(duty(), '2026-01-01', '2026-03-31', cal).map((o) => [o.period, o.dueOn])).toEqual([
      ['2026-01', '2026-01-15'],
      ['2026-02', '2026-02-24'],
      ['2026-03', '2026-03-16'],
    ]);
  });

  test('a triggered duty has no calendar', () => {
    const d = duty({ id: 'post-clearance-revisit', recurrence: { kind: 'triggered', event: 'risk-cleared', count: 4, everyMonths: 3 } });
    expect(() => previewDuty(d, '2026-01-01', '2026-12-31', cal)).toThrow(UsageError);
    expect(() => previewDuty(d, '2026-01-01', '2026-12-31', cal)).toThrow(/由事件.*触发/);
  });

  test('bad dates and times are refused', () => {
    expect(() => previewDuty(duty(), '2026-02-30', '2026-12-31', cal)).toThrow('"2026-02-30"');
    expect(() => previewDuty(duty({ dueTime: '25:00' }), '2026-01-01', '2026-12-31', cal)).toThrow(UsageError);
  });
});
