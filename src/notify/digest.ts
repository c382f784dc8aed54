import { DateTime } from 'luxon';
import type { DigestItem, DigestRequest } from '../contracts/digest';
import type { NotifyRequest } from '../contracts/dutyTask';
import type { LocalDate, Person } from '../shared/types';
import type { TaskSummary } from '../tasks/query';
import { daysOverdue, isStepNotice, type MessageText } from './messages';
import { linkLine, type TaskLink } from './links';
import { HANDLE_TASK_LABEL, noAccountHint } from '../shared/taskLink';
import { ZONE } from '../shared/zone';

/**
 * A digest person's own reminders and overdue notices wait for the digest; urgent duties still go at once, and so
 * do step notices (延期, 退回, 转办 …), which say what the digest's list of deadlines cannot.
 */
export function foldsIntoDigest(req: NotifyRequest, person: Person): boolean {
  return person.delivery === 'digest' && !req.urgent && !isStepNotice(req.kind);
}

/** Overdue tasks, then those due on or before `horizon`, soonest first. */
export function digestItems(tasks: TaskSummary[], now: Date, horizon: LocalDate): DigestItem[] {
  return tasks
    .filter((t) => t.status === 'open' || t.status === 'overdue')
    .map((t) => ({
      taskId: t.taskId,
      dutyTitle: t.dutyTitle,
      phaseTitle: t.phaseTitle,
      period: t.period,
      unitId: t.unit,
      dueOn: t.dueOn || DateTime.fromJSDate(t.dueAt, { zone: ZONE }).toISODate() || '',
      dueAt: t.dueAt.toISOString(),
      overdue: t.status === 'overdue' || t.dueAt.getTime() <= now.getTime(),
      escalationLevel: t.escalationLevel,
      provisional: t.provisional,
    }))
    .filter((i) => i.overdue || i.dueOn <= horizon)
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt) || a.taskId.localeCompare(b.taskId));
}

function daysLeft(dueOn: LocalDate, date: LocalDate): number {
  return Math.round(DateTime.fromISO(dueOn, { zone: ZONE }).diff(DateTime.fromISO(date, { zone: ZONE }), 'days').days);
}

function itemLine(item: DigestItem, date: LocalDate, index: number, link: string): string {
  const left = daysLeft(item.dueOn, date);
  const tag = item.overdue ? `【已逾期${daysOverdue(item.dueOn, `${date}T12:00:00+08:00`)}天】` : left === 0 ? '【今天截止】' : `【还剩${left}天】`;
  const title = `${item.dutyTitle}${item.phaseTitle ? `·${item.phaseTitle}` : ''}(${item.period})`;
  const due = `截止 ${item.dueOn}${item.provisional ? '(暂定)' : ''}`;
  return `${index + 1}. ${tag}${title} ${due}\n   任务编号:${item.taskId}\n   ${linkLine(HANDLE_TASK_LABEL, link)}`;
}

/** One message listing every due-soon and overdue task of one person, each with its page. */
export function composeDigest(req: DigestRequest, recipient: { name: string }, ctx: { taskLink: TaskLink; adminNames: string[] }): MessageText {
  const links = req.items.map((item) => ctx.taskLink(item.taskId));
  const overdue = req.items.filter((i) => i.overdue).length;
  const subject = `【每日待办汇总】${req.date} 共${req.items.length}项${overdue ? `(已逾期${overdue}项)` : ''}`;
  const lines = [
    `${recipient.name}同志:您好!`,
    '',
    `截至 ${req.date},您有以下 ${req.items.length} 项任务即将到期或已逾期,请按时办理:`,
    '',
    ...req.items.map((item, i) => itemLine(item, req.date, i, ctx.taskLink(item.taskId))),
    '',
    '打开各项的链接,登录后即可签收、反馈或登记完成。',
    noAccountHint(ctx.adminNames),
    '',
    '—— 沅江市乡村振兴局 职责提醒系统(每个工作日汇总一次,系统自动发送,请勿直接回复)',
  ];
  return { subject, text: lines.join('\n'), links };
}
