import { DateTime } from 'luxon';
import type { NotifyRequest } from '../contracts/dutyTask';
import { ZONE } from '../shared/zone';


export interface MessageText {
  subject: string;
  text: string;
}

const LEVEL_NAMES = ['', '一级', '二级', '三级', '四级', '五级'];

function levelName(level: number): string {
  return LEVEL_NAMES[level] ?? `${level}级`;
}

export function daysOverdue(dueOn: string, at: string): number {
  const due = DateTime.fromISO(dueOn, { zone: ZONE }).startOf('day');
  const now = DateTime.fromISO(at, { zone: ZONE }).startOf('day');
  return Math.max(0, Math.round(now.diff(due, 'days').days));
}

function taskLine(req: NotifyRequest): string {
  const t = req.task;
  return `${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}(${t.period})`;
}

/** Follow-ups read by level: level 2 and above is supervised handling (督办), whatever event carried it. */
function subjectTag(req: NotifyRequest): string {
  const overdue = daysOverdue(req.task.dueOn, req.plannedAt);
  if (req.kind === 'reminder') return '【待办提醒】';
  if (req.level >= 2) return `【${levelName(req.level)}督办·逾期${overdue}天】`;
  if (req.kind === 'repeat') return `【逾期催办·${overdue}天】`;
  return overdue > 0 ? `【已逾期${overdue}天】` : '【已逾期】';
}

function howToComplete(req: NotifyRequest): string {
  const fields = req.task.requiredFields.map((f) => ` --field ${f.key}=<${f.label}>`).join('');
  return `完成后请登记:\n  npm run duty -- task complete ${req.task.taskId} --by <您的人员编号> --note "<情况说明>"${fields}`;
}

/** Chinese text for one notification. `recipientRole` decides whether it reads as a to-do or as supervision. */
export function composeMessage(req: NotifyRequest, recipient: { name: string; role: 'assignee' | 'supervisor' }, unitName: string): MessageText {
  const t = req.task;
  const deadline = `截止 ${t.dueOn}${t.provisional ? '(暂定,节假日安排未公布)' : ''}`;
  const subject = `${subjectTag(req)}${taskLine(req)} ${req.kind === 'reminder' ? deadline : `原定${deadline}`}`;
  const greeting = `${recipient.name}同志:您好!`;
  const body =
    recipient.role === 'assignee'
      ? req.kind === 'reminder'
        ? `${unitName}承担的「${taskLine(req)}」将于 ${t.dueOn} 到期,请按时完成。`
        : `${unitName}承担的「${taskLine(req)}」已于 ${t.dueOn} 到期仍未完成,已逾期 ${daysOverdue(t.dueOn, req.plannedAt)} 天,请尽快办理。`
      : `您督查范围内,${unitName}承担的「${taskLine(req)}」已于 ${t.dueOn} 到期仍未完成(逾期 ${daysOverdue(t.dueOn, req.plannedAt)} 天,${levelName(Math.max(req.level, 1))}督办),请督促办理。`;
  const lines = [greeting, '', body, '', `任务编号:${t.taskId}`];
  if (recipient.role === 'assignee') lines.push(howToComplete(req));
  lines.push('', '—— 沅江市乡村振兴局 职责提醒系统(系统自动发送,请勿直接回复)');
  return { subject, text: lines.join('\n') };
}
