import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { WorkCalendar } from '../src/calendar';
import { digestConfigFromEnv, type DigestConfig } from '../src/config';
import { digestItems } from '../src/notify/digest';
import type { DigestSender } from '../src/notify/digestSender';
import type { OrgTree } from '../src/roster/orgTree';
import { digestId, type DigestDelivery, type DigestPlan, type DigestRequest } from '../src/contracts/digest';
import { listTasks, type TaskSummary } from '../src/tasks/query';
import { msUntilWorkingHours } from './notify';
import { ZONE } from '../src/shared/zone';

export interface DigestDeps {
  client: Client;
  calendar: WorkCalendar;
  roster: () => OrgTree;
  digestSender: DigestSender;
  quietHours: boolean;
  digestConfig?: DigestConfig;
  clock?: () => Date;
}


function localDate(at: Date): string {
  return DateTime.fromJSDate(at, { zone: ZONE }).toISODate() ?? '';
}

export function digestActivities({ client, calendar, roster, digestSender, quietHours, digestConfig, clock = () => new Date() }: DigestDeps) {
  const config = digestConfig ?? digestConfigFromEnv();
  return {
    /** Who gets a digest today and what it lists; one visibility query for all of them. */
    async planDigest(): Promise<DigestPlan> {
      const now = clock();
      const date = localDate(now);
      // The schedule skips known holidays; this also covers a manual trigger and years added after `apply`.
      if (!calendar.isWorkday(date)) return { date, workday: false, digests: [] };
      const people = roster().roster.people.filter((p) => p.delivery === 'digest');
      if (people.length === 0) return { date, workday: true, digests: [] };
      const horizon = calendar.addWorkingDays(date, config.dueWithinWorkingDays).date;
      const horizonEnd = DateTime.fromISO(horizon, { zone: ZONE }).endOf('day').toJSDate();
      const tasks = await listTasks(client, { statuses: ['open', 'overdue'], dueBefore: horizonEnd });
      const byAssignee = new Map<string, TaskSummary[]>();
      for (const t of tasks) byAssignee.set(t.assignee, [...(byAssignee.get(t.assignee) ?? []), t]);
      const digests: DigestRequest[] = people.flatMap((p) => {
        const items = digestItems(byAssignee.get(p.id) ?? [], now, horizon);
        return items.length ? [{ digestId: digestId(p.id, date), personId: p.id, date, items }] : [];
      });
      return { date, workday: true, digests };
    },

    async sendDigest(req: DigestRequest): Promise<DigestDelivery> {
      const now = clock();
      // Yesterday's list, sent this morning next to today's, would only confuse.
      if (localDate(now) !== req.date) {
        return { digestId: req.digestId, personId: req.personId, channel: 'none', result: 'stale', items: req.items.length, detail: '已过当日,未发送' };
      }
      const wait = quietHours ? msUntilWorkingHours(now, calendar) : 0;
      if (wait > 0) {
        throw ApplicationFailure.create({ type: 'QuietHours', message: '非工作时间,推迟发送', nextRetryDelay: wait });
      }
      return digestSender.send(req, roster());
    },
  };
}
