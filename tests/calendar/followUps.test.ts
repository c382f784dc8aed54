import { planFollowUps } from '../../src/calendar';
import { UsageError } from '../../src/errors';
import type { EscalationPolicy, FollowUp } from '../../src/shared/types';
import { localDateOf } from './fixtures';
import { loadWorkCalendar } from '../../src/sources/holidays';

const cal = loadWorkCalendar({ overrideFile: require.resolve('../../data/holidays.json') });
const policy: EscalationPolicy = { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }], repeatEveryWorkingDays: 2 };
const brief = (events: FollowUp[]) => events.map((e) => `${e.at} ${e.kind} ${e.level}`);

describe('follow-ups', () => {
  test('overdue at the deadline, then repeats and escalation on working days across the Spring Festival', () => {
    const events = planFollowUps({ dueAt: '2026-02-13T18:00:00.000+08:00', policy, sendAt: '09:00', limit: 6 }, cal);
    expect(brief(events)).toEqual([
      '2026-02-13T18:00:00.000+08:00 overdue 1',
      '2026-02-24T09:00:00.000+08:00 repeat 1', // Sat 02-14 (make-up day) is working day 1
      '2026-02-25T09:00:00.000+08:00 escalation 2',
      '2026-02-26T09:00:00.000+08:00 repeat 2',
      '2026-02-28T09:00:00.000+08:00 repeat 2', // make-up Saturday
      '2026-03-03T09:00:00.000+08:00 repeat 2',
    ]);
  });

  test('level 0 until the first level starts', () => {
    const events = planFollowUps(
      { dueAt: '2026-03-16T18:00:00.000+08:00', policy: { levels: [{ afterWorkingDays: 1 }], repeatEveryWorkingDays: 0 }, sendAt: '09:00', limit: 10 },
      cal,
    );
    expect(brief(events)).toEqual(['2026-03-16T18:00:00.000+08:00 overdue 0', '2026-03-17T09:00:00.000+08:00 escalation 1']);
  });

  test('an escalation replaces the repeat at the same instant', () => {
    const events = planFollowUps(
      {
        dueAt: '2026-03-16T18:00:00.000+08:00',
        policy: { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 2 }, { afterWorkingDays: 4 }], repeatEveryWorkingDays: 2 },
        sendAt: '09:00',
        limit: 5,
      },
      cal,
    );
    expect(brief(events)).toEqual([
      '2026-03-16T18:00:00.000+08:00 overdue 1',
      '2026-03-18T09:00:00.000+08:00 escalation 2',
      '2026-03-20T09:00:00.000+08:00 escalation 3',
      '2026-03-24T09:00:00.000+08:00 repeat 3',
      '2026-03-26T09:00:00.000+08:00 repeat 3',
    ]);
  });

  test('levels sharing a day count collapse into the highest, and every instant is distinct', () => {
    const events = planFollowUps(
      {
        dueAt: '2026-03-16T18:00:00.000+08:00',
        policy: { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 0 }, { afterWorkingDays: 1 }, { afterWorkingDays: 1 }], repeatEveryWorkingDays: 1 },
        sendAt: '09:00',
        limit: 3,
      },
      cal,
    );
    expect(brief(events)).toEqual([
      '2026-03-16T18:00:00.000+08:00 overdue 2',
      '2026-03-17T09:00:00.000+08:00 escalation 4',
      '2026-03-18T09:00:00.000+08:00 repeat 4',
    ]);
  });

  test('no repeats: a finite stream', () => {
    const events = planFollowUps(
      { dueAt: '2026-03-16T18:00:00.000+08:00', policy: { ...policy, repeatEveryWorkingDays: 0 }, sendAt: '09:00', limit: 100 },
      cal,
    );
    expect(brief(events)).toEqual(['2026-03-16T18:00:00.000+08:00 overdue 1', '2026-03-19T09:00:00.000+08:00 escalation 2']);
  });

  test('paging with after and limit yields the same stream', () => {
    const dueAt = '2025-09-26T18:00:00.000+08:00';
    const all = planFollowUps({ dueAt, policy, sendAt: '09:00', limit: 10 }, cal);
    const pages: FollowUp[] = [];
    let after: string | undefined;
    while (pages.length < 10) {
      const page = planFollowUps({ dueAt, policy, sendAt: '09:00', after, limit: 2 }, cal);
      pages.push(...page);
      after = page.at(-1)?.at;
    }
    expect(pages).toEqual(all);
    expect(planFollowUps({ dueAt, policy, sendAt: '09:00', after: all[4]!.at, limit: 1 }, cal)).toEqual([all[5]]);
    expect(planFollowUps({ dueAt, policy, sendAt: '09:00', limit: 0 }, cal)).toEqual([]);
  });

  test('levels carry through pages even when their escalation was before `after`', () => {
    const dueAt = '2026-03-16T18:00:00.000+08:00';
    const later = planFollowUps({ dueAt, policy, sendAt: '09:00', after: '2026-04-01T00:00:00.000+08:00', limit: 3 }, cal);
    for (const e of later) expect(e).toMatchObject({ kind: 'repeat', level: 2 });
  });

  test('ascending, and repeats and escalations only on working days at sendAt, across 2025 and 2026 holidays', () => {
    for (const dueAt of ['2025-01-24T17:30:00.000+08:00', '2025-09-26T18:00:00.000+08:00', '2026-09-30T18:00:00.000+08:00']) {
      const events = planFollowUps({ dueAt, policy: { ...policy, repeatEveryWorkingDays: 1 }, sendAt: '09:00', limit: 80 }, cal);
      expect(events).toHaveLength(80);
      expect(events[0]).toEqual({ at: dueAt, kind: 'overdue', level: 1 });
      for (let i = 1; i < events.length; i += 1) {
        const e = events[i]!;
        expect(Date.parse(e.at)).toBeGreaterThan(Date.parse(events[i - 1]!.at));
        expect(e.level).toBeGreaterThanOrEqual(events[i - 1]!.level);
        expect(cal.isWorkday(localDateOf(e.at))).toBe(true);
        expect(e.at).toMatch(/T09:00:00\.000\+08:00$/);
      }
    }
  });

  test('instants in another offset are normalised to +08:00', () => {
    const [first] = planFollowUps({ dueAt: '2026-03-16T10:00:00Z', policy, sendAt: '09:00', limit: 1 }, cal);
    expect(first?.at).toBe('2026-03-16T18:00:00.000+08:00');
  });

  test('bad input is refused', () => {
    const args = { dueAt: '2026-03-16T18:00:00.000+08:00', policy, sendAt: '09:00', limit: 1 };
    expect(() => planFollowUps({ ...args, dueAt: 'yesterday' }, cal)).toThrow(UsageError);
    expect(() => planFollowUps({ ...args, sendAt: '9am' }, cal)).toThrow(UsageError);
    expect(() => planFollowUps({ ...args, limit: -1 }, cal)).toThrow(UsageError);
    expect(() => planFollowUps({ ...args, policy: { levels: [{ afterWorkingDays: 3 }, { afterWorkingDays: 1 }], repeatEveryWorkingDays: 1 } }, cal)).toThrow(
      UsageError,
    );
  });
});
