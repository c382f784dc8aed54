import { DateTime } from 'luxon';
import type { NotifyRequest, StepNoticeKind } from '../contracts/dutyTask';
import { HANDLE_TASK_LABEL, noAccountHint } from '../shared/taskLink';
import { ZONE } from '../shared/zone';
import { linkLine } from './links';

export interface MessageText {
  subject: string;
  text: string;
  /** The task pages the text links to. */
  links: string[];
}

/** What the words need from the roster and the server, looked up by the notifier. */
export interface MessageContext {
  /** The assignee's unit. */
  unitName: string;
  /** The task's page. */
  link: string;
  adminNames: string[];
  nameOf: (personId: string) => string;
}

export const SIGN_OFF = '—— 沅江市乡村振兴局 职责提醒系统(系统自动发送,请勿直接回复)';
const LEVEL_NAMES = ['', '一级', '二级', '三级', '四级', '五级'];
const VIEW_LABEL = '查看任务';
/** A reason is someone's free text: one line, bounded, so it cannot pose as the notice's own lines. */
const REASON_MAX_CHARS = 200;

export function levelName(level: number): string {
  return LEVEL_NAMES[level] ?? `${level}级`;
}

export function daysOverdue(dueOn: string, at: string): number {
  const due = DateTime.fromISO(dueOn, { zone: ZONE }).startOf('day');
  const now = DateTime.fromISO(at, { zone: ZONE }).startOf('day');
  return Math.max(0, Math.round(now.diff(due, 'days').days));
}

export function taskLine(req: NotifyRequest): string {
  const t = req.task;
  return `${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}(${t.period})`;
}

export function dueText(req: NotifyRequest): string {
  return `${req.task.dueOn}${req.task.provisional ? '(暂定,节假日安排未公布)' : ''}`;
}

/** Where the deadline stands when the notice is sent: still ahead, or passed and by how many days. */
function deadlineState(req: NotifyRequest, still = false): string {
  if (Date.parse(req.plannedAt) < Date.parse(req.task.dueAt)) return `截止日期${still ? '仍' : ''}为 ${dueText(req)}`;
  const days = daysOverdue(req.task.dueOn, req.plannedAt);
  return `已于 ${req.task.dueOn} 到期${days > 0 ? `,已逾期 ${days} 天` : ''}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > REASON_MAX_CHARS ? `${flat.slice(0, REASON_MAX_CHARS)}…` : flat;
}

/** Follow-ups read by level: level 2 and above is supervised handling (督办), whatever event carried it. */
export function subjectTag(req: NotifyRequest): string {
  const overdue = daysOverdue(req.task.dueOn, req.plannedAt);
  if (req.kind === 'reminder') return '【待办提醒】';
  if (req.level >= 2) return `【${levelName(req.level)}督办·逾期${overdue}天】`;
  if (req.kind === 'repeat') return `【逾期催办·${overdue}天】`;
  return overdue > 0 ? `【已逾期${overdue}天】` : '【已逾期】';
}

interface Words {
  subject: string;
  body: string[];
  label: string;
}

/** Reminders and follow-ups: a to-do for the assignee, supervision for the supervisors. */
function dueWords(req: NotifyRequest, role: 'assignee' | 'supervisor', ctx: MessageContext): Words {
  const t = req.task;
  const subject = `${subjectTag(req)}${taskLine(req)} ${req.kind === 'reminder' ? '' : '原定'}截止 ${dueText(req)}`;
  const late = daysOverdue(t.dueOn, req.plannedAt);
  if (role === 'supervisor') {
    const level = levelName(Math.max(req.level, 1));
    return { subject, label: VIEW_LABEL, body: [`您督查范围内,${ctx.unitName}承担的「${taskLine(req)}」已于 ${t.dueOn} 到期仍未完成(逾期 ${late} 天,${level}督办),请督促办理。`] };
  }
  const body =
    req.kind === 'reminder'
      ? `${ctx.unitName}承担的「${taskLine(req)}」将于 ${t.dueOn} 到期,请按时完成。`
      : `${ctx.unitName}承担的「${taskLine(req)}」已于 ${t.dueOn} 到期仍未完成,已逾期 ${late} 天,请尽快办理。`;
  return { subject, label: HANDLE_TASK_LABEL, body: [body] };
}

/** Names rather than ids: the actor, the (new) assignee and, after a 转办, the one who held the task before. */
type StepFacts = { title: string; unit: string; actor: string; assignee: string; previous?: string; step: NonNullable<NotifyRequest['step']> };

function reasonLine(facts: StepFacts, label = '理由'): string[] {
  return facts.step.reason?.trim() ? [`${label}:${oneLine(facts.step.reason)}`] : [];
}

/** One entry per step: the compiler checks that every StepNoticeKind has its words. */
const STEP_WORDS: Record<StepNoticeKind, (req: NotifyRequest, f: StepFacts) => Words> = {
  unacknowledged: (req, f) => {
    const hours = f.step.acknowledgeWithinHours;
    const late = hours === undefined ? '开启后未在规定时间内签收' : `开启后 ${hours} 个工作小时内未签收`;
    return {
      subject: `【待签收提醒】${f.title} ${f.unit}未签收`,
      label: VIEW_LABEL,
      body: [`您督查范围内,${f.unit}(承办人:${f.assignee})的任务「${f.title}」${late},${deadlineState(req)}。请督促及时签收办理。`],
    };
  },
  extensionRequested: (req, f) => {
    const asked = f.step.requestedDueOn;
    return {
      subject: `【延期申请】${f.title} ${asked ? `申请延至 ${asked}` : '申请延期'}`,
      label: '审批延期',
      body: [
        `${f.actor}(${f.unit})申请将「${f.title}」的截止日期由 ${dueText(req)} ${asked ? `延至 ${asked}` : '延后'}。`,
        ...reasonLine(f),
        '请审批:批准或不批准。',
      ],
    };
  },
  extensionApproved: (req, f) => ({
    subject: `【延期已批准】${f.title} 新截止 ${dueText(req)}`,
    label: HANDLE_TASK_LABEL,
    body: [
      `您申请的「${f.title}」延期已获批准(审批人:${f.actor}),截止日期${f.step.previousDueOn ? `由 ${f.step.previousDueOn} ` : ''}改为 ${dueText(req)}。`,
      ...reasonLine(f, '审批意见'),
      '请在新的截止日期前办理。',
    ],
  }),
  extensionRejected: (req, f) => ({
    subject: `【延期未批准】${f.title} 截止 ${dueText(req)}`,
    label: HANDLE_TASK_LABEL,
    body: [`您申请的「${f.title}」延期未获批准(审批人:${f.actor})。`, ...reasonLine(f), `${deadlineState(req, true)},请抓紧办理。`],
  }),
  reviewRequested: (_req, f) => ({
    subject: `【待审核】${f.title} ${f.unit}已登记完成`,
    label: '审核',
    body: [`您督查范围内,${f.actor}(${f.unit})已登记完成「${f.title}」,请审核:通过或退回。`],
  }),
  returned: (req, f) => {
    const moved = f.step.previousDueOn && f.step.previousDueOn !== req.task.dueOn ? `(原截止 ${f.step.previousDueOn})` : '';
    return {
      subject: `【已退回】${f.title} 截止 ${dueText(req)}`,
      label: HANDLE_TASK_LABEL,
      body: [`您登记完成的「${f.title}」已被${f.actor}退回,请按要求修改后重新登记。`, ...reasonLine(f, '退回理由'), `${deadlineState(req)}${moved}。`],
    };
  },
  reassigned: (req, f) => {
    const before = f.previous ? `,原承办人:${f.previous}` : '';
    return {
      subject: `【转办】${f.title} 截止 ${dueText(req)}`,
      label: HANDLE_TASK_LABEL,
      body: [`此任务已转办给您:「${f.title}」现由${f.unit}承办(转办人:${f.actor}${before})。`, ...reasonLine(f, '转办理由'), `${deadlineState(req)},请尽快办理。`],
    };
  },
  deadlineChanged: (req, f) => ({
    subject: `【截止日调整】${f.title} 新截止 ${dueText(req)}`,
    label: HANDLE_TASK_LABEL,
    body: [`「${f.title}」的截止日期${f.step.previousDueOn ? `由 ${f.step.previousDueOn} ` : ''}调整为 ${dueText(req)}。`, ...reasonLine(f, '原因'), '请在新的截止日期前办理。'],
  }),
  handedOver: (_req, f) => ({
    subject: `【已转交】${f.title}`,
    label: VIEW_LABEL,
    body: [`此任务已转交他人办理:「${f.title}」现由${f.unit}的${f.assignee}承办(转办人:${f.actor})。`, ...reasonLine(f, '转办理由'), '您无需再办理此任务。'],
  }),
};

/** Step notices go out at once to the people the step concerns; reminders and follow-ups follow the deadline. */
export function isStepNotice(kind: NotifyRequest['kind']): kind is StepNoticeKind {
  return Object.hasOwn(STEP_WORDS, kind);
}

function stepWords(req: NotifyRequest & { kind: StepNoticeKind }, ctx: MessageContext): Words {
  const step = req.step ?? { by: 'system' };
  const facts: StepFacts = {
    title: taskLine(req),
    unit: ctx.unitName,
    actor: ctx.nameOf(step.by),
    assignee: ctx.nameOf(req.task.assignee.personId),
    previous: step.previousAssignee && ctx.nameOf(step.previousAssignee),
    step,
  };
  return STEP_WORDS[req.kind](req, facts);
}

/**
 * Chinese text for one notification: what happened, then the task's page to act on, and whom to ask for an
 * account. `role` decides whether a reminder or follow-up reads as a to-do or as supervision.
 */
export function composeMessage(req: NotifyRequest, reader: { name: string; role: 'assignee' | 'supervisor' }, ctx: MessageContext): MessageText {
  const kind = req.kind;
  const words = isStepNotice(kind) ? stepWords({ ...req, kind }, ctx) : dueWords(req, reader.role, ctx);
  const lines = [
    `${reader.name}同志:您好!`,
    '',
    ...words.body,
    '',
    `任务编号:${req.task.taskId}`,
    linkLine(words.label, ctx.link),
    noAccountHint(ctx.adminNames),
    '',
    SIGN_OFF,
  ];
  return { subject: words.subject, text: lines.join('\n'), links: [ctx.link] };
}
