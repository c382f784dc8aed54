import { DateTime } from 'luxon';
import type { Duty } from '../../src/shared/types';

export function duty(overrides: Partial<Duty> = {}): Duty {
  return {
    id: 'monthly-data-import',
    title: '行业部门每月导入数据',
    description: '组织相关行业部门每月15日前导入数据',
    source: '一(一)',
    recurrence: { kind: 'monthly' },
    assignTo: { unitKinds: ['department'], role: 'liaison', per: 'unit' },
    opens: { atPeriodStart: true },
    deadline: { day: 15 },
    dueTime: '18:00',
    shift: 'next-working-day',
    reminders: { workingDaysBefore: [3, 1], onDueDay: true, sendAt: '09:00' },
    escalation: { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }], repeatEveryWorkingDays: 2 },
    completion: { note: 'optional', fields: [] },
    ...overrides,
  };
}

/** Every date from `from` to `to` inclusive. */
export function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromISO(from); d.toISODate()! <= to; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

export function localDateOf(instant: string): string {
  return DateTime.fromISO(instant, { zone: 'Asia/Shanghai' }).toISODate()!;
}
