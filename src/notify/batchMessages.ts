import type { NotifyRequest } from '../contracts/dutyTask';
import { HANDLE_TASK_LABEL, noAccountHint } from '../shared/taskLink';
import { linkLine } from './links';
import { daysOverdue, dueText, levelName, type MessageText, SIGN_OFF, subjectTag, taskLine } from './messages';

/** One notice of a batched message: the task it is about, whose it is and where to act on it. */
export interface BatchItem {
  req: NotifyRequest;
  role: 'assignee' | 'supervisor';
  unitName: string;
  link: string;
  /** The person the item is for; a group message names them, since everyone in the group reads it. */
  personName: string;
}

/**
 * Every notice one instant brings a person, in one message: their own tasks to handle, then the units they
 * supervise that are late. The notices of one batch share their duty, deadline and kind, so one subject fits all.
 * Each link is numbered like its line in the list, since one unit may hold several of the reader's tasks.
 */
export function composeBatch(items: BatchItem[], readerName: string, adminNames: string[]): MessageText {
  const own = items.filter((i) => i.role === 'assignee');
  const supervised = items.filter((i) => i.role === 'supervisor');
  const lines = [`${readerName}同志:您好!`, '', ...ownLines(own), ...(own.length && supervised.length ? [''] : []), ...supervisedLines(supervised), '', noAccountHint(adminNames), '', SIGN_OFF];
  return { subject: subjectOf(items), text: lines.join('\n'), links: items.map((i) => i.link) };
}

/** A robot group's message: one list for the whole group, each line naming whom it concerns; the channel adds the @s. */
export function composeGroup(items: BatchItem[], adminNames: string[]): MessageText {
  const first = firstReq(items);
  const lines = [
    '各位同志:',
    '',
    `「${taskLine(first)}」${stateWords(first)},涉及以下 ${items.length} 项:`,
    ...items.map((item, n) => `${n + 1}. ${item.personName}${item.role === 'supervisor' ? '(督办)' : ''}·${item.unitName}`),
    ...items.map((item, n) => linkLine(`${n + 1}. ${item.unitName}·${item.role === 'supervisor' ? '查看' : '办理'}`, item.link)),
    '',
    noAccountHint(adminNames),
  ];
  return { subject: subjectOf(items), text: lines.join('\n'), links: items.map((i) => i.link) };
}

function subjectOf(items: BatchItem[]): string {
  const first = firstReq(items);
  return `${subjectTag(first)}${taskLine(first)} 截止 ${dueText(first)} 共 ${items.length} 项`;
}

function firstReq(items: BatchItem[]): NotifyRequest {
  const first = items[0];
  if (!first) throw new Error('composeBatch: no items');
  return first.req;
}

function stateWords(req: NotifyRequest): string {
  if (req.kind === 'reminder') return `将于 ${req.task.dueOn} 到期,请按时完成`;
  return `已于 ${req.task.dueOn} 到期仍未完成(已逾期 ${daysOverdue(req.task.dueOn, req.plannedAt)} 天),请尽快办理`;
}

function ownLines(items: BatchItem[]): string[] {
  const first = items[0];
  if (!first) return [];
  return [
    `您承办的「${taskLine(first.req)}」共 ${items.length} 项${stateWords(first.req)}:`,
    ...items.map((item, n) => `${n + 1}. ${item.unitName}(任务编号 ${item.req.task.taskId})`),
    ...items.map((item, n) => linkLine(`${n + 1}. ${item.unitName}·${HANDLE_TASK_LABEL}`, item.link)),
  ];
}

function supervisedLines(items: BatchItem[]): string[] {
  const first = items[0];
  if (!first) return [];
  const req = first.req;
  const level = levelName(Math.max(req.level, 1));
  return [
    `您督查范围内,以下 ${items.length} 个单位承担的「${taskLine(req)}」已于 ${req.task.dueOn} 到期仍未完成(逾期 ${daysOverdue(req.task.dueOn, req.plannedAt)} 天,${level}督办),请督促办理:`,
    ...items.map((item, n) => `${n + 1}. ${item.unitName}(任务编号 ${item.req.task.taskId})`),
    ...items.map((item, n) => linkLine(`${n + 1}. ${item.unitName}·查看任务`, item.link)),
  ];
}
