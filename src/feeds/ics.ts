import ical, { ICalAlarmType, ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import type { Person } from '../shared/types';
import type { TaskSummary } from '../tasks/query';
import { HANDLE_TASK_LABEL, noAccountHint, taskPageUrl } from '../shared/taskLink';
import { ZONE } from '../shared/zone';

/** Phones re-fetch about hourly; a completed task disappears at the next refresh. */
const REFRESH_SECONDS = 3600;
/** The event ends at the deadline instant; a short block before it is what shows in a day view. */
const EVENT_MINUTES = 30;
/** Before an open task's deadline: the day before, and two hours before. */
const ALARMS_BEFORE_SECONDS = [24 * 3600, 2 * 3600];

export interface FeedInput {
  person: Pick<Person, 'id' | 'name'>;
  tasks: TaskSummary[];
  unitName: (unitId: string) => string;
  now: Date;
  /** `DUTY_PUBLIC_URL`, no trailing slash: each event links to its task's page there. */
  publicUrl: string;
}

function title(t: TaskSummary): string {
  return `${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}(${t.period})`;
}

/** One VEVENT per open or overdue task, ending at its deadline, with VALARMs while it is still ahead. */
export function buildFeed({ person, tasks, unitName, now, publicUrl }: FeedInput): string {
  const calendar = ical({
    name: `职责截止日 · ${person.name}`,
    description: '沅江市乡村振兴局 职责提醒系统:您名下未完成任务的截止时间',
    prodId: { company: 'yuanjiang-xczx', product: 'duty-engine', language: 'ZH' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: REFRESH_SECONDS,
  });
  for (const t of tasks) {
    const overdue = t.status === 'overdue' || t.dueAt.getTime() <= now.getTime();
    const due = DateTime.fromJSDate(t.dueAt, { zone: ZONE });
    const page = taskPageUrl(publicUrl, t.taskId);
    const description = [
      `承办单位:${unitName(t.unit)}`,
      `截止时间:${due.toFormat('yyyy-MM-dd HH:mm')}(北京时间)${t.provisional ? ',暂定:节假日安排未公布' : ''}`,
      `状态:${overdue ? '已逾期' : '待完成'}${t.escalationLevel > 0 ? `,${t.escalationLevel}级督办` : ''}`,
      `任务编号:${t.taskId}`,
      `${HANDLE_TASK_LABEL}:${page}`,
      noAccountHint(),
    ].join('\n');
    calendar.createEvent({
      id: `${t.taskId}@duty-engine`,
      start: due.minus({ minutes: EVENT_MINUTES }).toJSDate(),
      end: t.dueAt,
      stamp: now,
      summary: `${overdue ? '【已逾期】' : '【截止】'}${title(t)}`,
      description,
      url: page,
      alarms: overdue
        ? []
        : ALARMS_BEFORE_SECONDS.map((seconds) => ({
            type: ICalAlarmType.display,
            triggerBefore: seconds - EVENT_MINUTES * 60,
            description: `${title(t)} 将于 ${due.toFormat('MM-dd HH:mm')} 截止`,
          })),
    });
  }
  return calendar.toString();
}
