import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { isWithinWorkingHours, WORKING_HOURS, type WorkCalendar } from '../src/calendar';
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
  if (isWithinWorkingHours(local, calendar)) return 0;
  let day = local.hour < WORKING_HOURS.start ? local.startOf('day') : local.startOf('day').plus({ days: 1 });
  while (!calendar.isWorkday(day.toISODate() ?? '')) day = day.plus({ days: 1 });
  return day.set({ hour: WORKING_HOURS.start }).toMillis() - local.toMillis();
}
