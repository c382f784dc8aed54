import type { AttachmentRef, Completion, TaskState } from '../../contracts/dutyTask';
import type { OrgTree } from '../../roster/orgTree';
import { nameOf } from '../../services/tasks';
import { ACTION_NAMES, attachmentText, eventDetail } from '../../services/taskWords';
import type { FieldValue } from '../../shared/completion';
import { stateName } from '../../shared/taskStates';
import { shanghaiStamp as stamp } from '../../shared/zone';

/** `task show`: everything the task knows, one fact to a line, the 督办 steps in the order they happen. */
export function describeTask(state: TaskState, tree: OrgTree): string {
  const who = (id: string) => nameOf(tree, id);
  const unitName = (id: string) => (tree.hasUnit(id) ? tree.unit(id).name : id);
  const lines = [
    `任务 ${state.taskId}`,
    `  职责: ${state.dutyTitle}${state.phaseTitle ? `·${state.phaseTitle}` : ''}(${state.dutyId})  周期: ${state.period}`,
    `  责任人: ${who(state.assignee.personId)}  单位: ${unitName(state.assignee.unitId)}`,
    `  状态: ${stateName(state.status, state.flags)}  截止: ${state.dueOn}${state.provisional ? '(暂定)' : ''}${state.extension ? `(原 ${state.extension.originalDueOn})` : ''}  督办级别: ${state.escalationLevel}`,
    ...acknowledgement(state, who),
    ...(state.progress ? [`  最新进展: ${who(state.progress.by)} 于 ${stamp(state.progress.at)}: ${state.progress.note}${figures(state.progress.fields)}`, ...files(state.progress.attachments)] : []),
    ...extension(state, who),
    ...(state.completion ? [`  完成: ${who(state.completion.by)} 于 ${stamp(state.completion.at)}${completionText(state.completion)}`, ...files(state.completion.attachments)] : []),
    ...(state.review ? [`  审核: ${who(state.review.by)} 于 ${stamp(state.review.at)} 审核通过`] : []),
    ...(state.waiver ? [`  免除: ${who(state.waiver.by)} 于 ${stamp(state.waiver.at)},原因: ${state.waiver.reason}`] : []),
    ...returns(state, who),
    ...(state.previousAssignees?.length ? ['  转办记录:'] : []),
    ...(state.previousAssignees ?? []).map((p) => `    ${stamp(p.until)}  ${who(p.by)} 将任务从 ${who(p.personId)}(${unitName(p.unitId)})转出,原因: ${p.reason}`),
    '  经过:',
    ...state.events.map((e) => `    ${stamp(e.at)}  ${ACTION_NAMES[e.action] ?? e.action}  ${who(e.actor)}${e.detail ? `  ${eventDetail(e)}` : ''}`),
    `  通知(${state.deliveries.length}):`,
    ...state.deliveries.map((d) => `    ${stamp(d.sentAt)}  ${d.kind}${d.level ? `/L${d.level}` : ''}  → ${who(d.personId)}  ${d.channel}  ${d.result}${d.detail ? ` (${d.detail})` : ''}`),
  ];
  return lines.join('\n');
}

type Who = (id: string) => string;

function acknowledgement(state: TaskState, who: Who): string[] {
  if (state.acknowledged) return [`  签收: ${who(state.acknowledged.by)} 于 ${stamp(state.acknowledged.at)}`];
  return state.flags?.includes('unacknowledged') ? ['  签收: 尚未签收'] : [];
}

function extension(state: TaskState, who: Who): string[] {
  const x = state.extension;
  if (!x) return [];
  const lines = [`  延期: 原截止 ${x.originalDueOn},现截止 ${state.dueOn},已批准 ${x.granted} 次`];
  if (x.pending) lines.push(`    待审批: ${who(x.pending.by)} 于 ${stamp(x.pending.at)} 申请延至 ${x.pending.dueOn},原因: ${x.pending.reason}`);
  const d = x.lastDecision;
  if (d) lines.push(`    最近审批: ${who(d.by)} 于 ${stamp(d.at)} ${d.approved ? `批准,截止日改为 ${d.dueOn ?? state.dueOn}` : '驳回'}${d.reason ? `,${d.approved ? '说明' : '原因'}: ${d.reason}` : ''}`);
  return lines;
}

function returns(state: TaskState, who: Who): string[] {
  const list = state.returned ?? [];
  if (list.length === 0) return [];
  return [
    `  退回(${list.length} 次):`,
    ...list.flatMap((r) => [`    ${stamp(r.returnedAt)}  ${who(r.returnedBy)} 退回 ${who(r.by)} ${stamp(r.at)} 的办结登记,原因: ${r.reason}`, ...files(r.attachments, '      ')]),
  ];
}

function completionText(c: Completion): string {
  return `${c.note ? `,说明: ${c.note}` : ''}${figures(c.fields)}`;
}

function figures(fields: Record<string, FieldValue>): string {
  const text = Object.entries(fields)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return text ? `,数据: ${text}` : '';
}

function files(refs: AttachmentRef[] | undefined, indent = '    '): string[] {
  return (refs ?? []).map((r) => `${indent}附件: ${attachmentText(r)}`);
}
