import { ApplicationFailure, Context } from '@temporalio/activity';
import type { WorkCalendar } from '../src/calendar';
import { type BatchOutcome, memberRequest, type NoticeBatch } from '../src/contracts/dutyNotices';
import { notificationId } from '../src/contracts/dutyTask';
import type { BatchSender } from '../src/notify/batchSender';
import type { OrgTree } from '../src/roster/orgTree';
import type { DeliveryLog } from '../src/store/deliveries';
import { msUntilWorkingHours } from './notify';

const HEARTBEAT_MS = 5000;

export interface NoticeDeps {
  batchSender: BatchSender;
  deliveries: DeliveryLog;
  calendar: WorkCalendar;
  roster: () => OrgTree;
  quietHours: boolean;
  clock?: () => Date;
}

export function noticeActivities({ batchSender, deliveries, calendar, roster, quietHours, clock = () => new Date() }: NoticeDeps) {
  return {
    /** One instant's notices for many tasks; each task's record gets its line, whichever message carried it. */
    async sendNotices(batch: NoticeBatch): Promise<BatchOutcome> {
      const wait = batch.template.duty.urgent || !quietHours ? 0 : msUntilWorkingHours(clock(), calendar);
      if (wait > 0) {
        throw ApplicationFailure.create({ type: 'QuietHours', message: '非工作时间,推迟发送', nextRetryDelay: wait });
      }
      const ctx = Context.current();
      let done = 0;
      // A robot's pacing may hold one message for most of a minute; the beat says the attempt is alive meanwhile.
      const beat = setInterval(() => ctx.heartbeat(done), HEARTBEAT_MS);
      try {
        const { deliveries: records, outcome } = await batchSender.send(batch, roster(), () => (done += 1), clock);
        await deliveries.append(records);
        return outcome;
      } finally {
        clearInterval(beat);
      }
    },

    /** A batch that failed for good: each task it carried says so on its page, as a single failed notice would. */
    async recordUndelivered({ batch, detail }: { batch: NoticeBatch; detail: string }): Promise<void> {
      const sentAt = clock().toISOString();
      await deliveries.append(
        batch.members.map((m) => {
          const req = memberRequest(batch, m, notificationId(m.taskId, batch.notice.kind, batch.notice.seq));
          return { taskId: m.taskId, record: { notificationId: req.notificationId, kind: req.kind, level: req.level, personId: m.personId, channel: 'none', result: 'failed', plannedAt: req.plannedAt, sentAt, detail } };
        }),
      );
    },
  };
}
