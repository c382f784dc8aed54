import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import type { WorkCalendar } from '../src/calendar';
import type { Notifier } from '../src/notify/notifier';
import type { OrgTree } from '../src/roster/orgTree';
import type { DeliveryRecord, NotifyRequest } from '../src/contracts/dutyTask';
import { ZONE } from '../src/shared/zone';

export interface NotifyDeps {
  notifier: Notifier;
  calendar: WorkCalendar;
  roster: () => OrgTree;
  quietHours: boolean;
  /** The wall clock; time-skipping tests pass the server's clock instead. */
  clock?: () => Date;
}

/** Working hours are 08:00 to 18:00 inclusive, on working days. */
const WORK_START_HOUR = 8;
const WORK_END_HOUR = 18;

export function notifyActivities({ notifier, calendar, roster, quietHours, clock = () => new Date() }: NotifyDeps) {
  return {
    async notify(req: NotifyRequest): Promise<DeliveryRecord[]> {
      const wait = req.urgent || !quietHours ? 0 : msUntilWorkingHours(clock(), calendar);
      // A timer that fired late (the worker was down overnight) must not wake anyone: retry in working hours.
      if (wait > 0) {
        throw ApplicationFailure.create({ type: 'QuietHours', message: '非工作时间,推迟发送', nextRetryDelay: wait });
      }
      return notifier.notify(req, roster());
    },
  };
}

export function msUntilWorkingHours(at: Date, calendar: WorkCalendar): number {
  const local = DateTime.fromJSDate(at, { zone: ZONE });
  const minutes = local.hour * 60 + local.minute;
  const inHours = minutes >= WORK_START_HOUR * 60 && minutes <= WORK_END_HOUR * 60;
  if (inHours && calendar.isWorkday(local.toISODate() ?? '')) return 0;
  let day = minutes < WORK_START_HOUR * 60 ? local.startOf('day') : local.startOf('day').plus({ days: 1 });
  while (!calendar.isWorkday(day.toISODate() ?? '')) day = day.plus({ days: 1 });
  return day.set({ hour: WORK_START_HOUR }).toMillis() - local.toMillis();
}
