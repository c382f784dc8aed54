import { DateTime } from 'luxon';
import type { Person } from '../../shared/types';
import type { TaskState } from '../../contracts/dutyTask';
import type { OrgTree } from '../../roster/orgTree';
import { ATTACHMENT_KINDS, kindList } from '../../shared/evidence';
import type { AttachmentKind, AttachmentSpec, CompletionField, CompletionSpec } from '../../shared/types';
import { COMPLETION_LIMITS } from '../../shared/completion';
import { ZONE } from '../../shared/zone';
import { FIGURE_PREFIX } from '../api/schemas';
import { dateInput, field, fieldError, type FormState, stateOf, textArea } from './taskForms';
import { today } from './format';
import { html, type SafeHtml } from './html';

/**
 * The forms of the 督办 steps on the task page. `novalidate` everywhere: the browser's own messages follow its
 * language, the server's Chinese ones are shown instead. Each form posts to `/tasks/<id>/<step>`.
 */

const REASON_HINT = `必填,最多 ${COMPLETION_LIMITS.reasonLength} 字`;

const action = (taskId: string, step: string) => `/tasks/${encodeURIComponent(taskId)}/${step}`;

/** What a file input offers to pick: by type and by extension, since phones and desktops go by different ones. */
const ACCEPT: Record<AttachmentKind, string> = {
  image: 'image/*',
  pdf: '.pdf,application/pdf',
  xlsx: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: '.docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export interface EvidenceRules {
  spec?: AttachmentSpec;
  maxFiles: number;
  maxMegabytes: number;
}

/** `multiple` and no `capture`: a phone offers the camera, the gallery and its files alike. */
function fileInput(rules: EvidenceRules, required: boolean, error?: string): SafeHtml {
  const kinds = rules.spec?.kinds ?? ATTACHMENT_KINDS;
  const need = required && rules.spec?.required ? `必填,至少 ${rules.spec.min} 个` : '选填';
  const hint = `${need};${kindList(kinds)};每个不超过 ${rules.maxMegabytes} MB,最多 ${rules.maxFiles} 个`;
  return field('佐证材料', hint, html`<input type="file" name="files" multiple accept="${kinds.map((k) => ACCEPT[k]).join(',')}">`, error ? `${error}(请重新选择文件)` : undefined);
}

function figureInput(f: CompletionField, value: string, error: string | undefined, required: boolean): SafeHtml {
  const name = `${FIGURE_PREFIX}${f.key}`;
  const hint = [required && f.required ? '必填' : '选填', f.unit ? `单位: ${f.unit}` : '', f.min !== undefined ? `不小于 ${f.min}` : '', f.max !== undefined ? `不大于 ${f.max}` : '']
    .filter(Boolean)
    .join(',');
  let input: SafeHtml;
  if (f.type === 'boolean') {
    input = html`<select name="${name}"><option value="">请选择</option><option value="true" ${value === 'true' ? 'selected' : ''}>是</option><option value="false" ${value === 'false' ? 'selected' : ''}>否</option></select>`;
  } else if (f.type === 'integer' || f.type === 'number') {
    input = html`<input type="number" inputmode="${f.type === 'integer' ? 'numeric' : 'decimal'}" step="${f.type === 'integer' ? '1' : 'any'}" name="${name}" value="${value}">`;
  } else {
    input = html`<input type="${f.type === 'date' ? 'date' : 'text'}" name="${name}" value="${value}">`;
  }
  return field(f.label, hint, input, error);
}

/** 登记完成: the duty's figures, the note, and the evidence files; first of the unit side's forms, `#complete`. */
export function completionForm(taskId: string, spec: CompletionSpec, rules: EvidenceRules, form: FormState): SafeHtml {
  const { values, errors } = stateOf(form, 'complete');
  return html`<section id="complete"><h2>登记完成</h2>
<form method="post" action="${action(taskId, 'complete')}" enctype="multipart/form-data" novalidate>
${spec.fields.map((f) => figureInput(f, values[f.key] ?? '', errors[f.key], true))}
${field('情况说明', spec.note === 'required' ? '必填' : '选填', textArea('note', values.note), errors.note)}
${fileInput(rules, true, errors.attachments)}
<button type="submit">提交完成</button></form></section>`;
}

/** 签收: one button, until someone has signed for the task. */
export function acknowledgeForm(taskId: string): SafeHtml {
  return html`<form id="ack" class="inline ack" method="post" action="${action(taskId, 'ack')}"><button type="submit">签收</button><span class="muted">确认已收到此任务、开始办理</span></form>`;
}

/** A step that is not the main thing to do folds away, and opens again when it comes back with an error. */
function folded(id: string, title: string, open: boolean, body: SafeHtml): SafeHtml {
  return html`<details class="step" id="${id}" ${open ? 'open' : ''}><summary>${title}</summary>${body}</details>`;
}

/** 反馈进展: a note, any of the figures so far, files. */
export function progressForm(taskId: string, spec: CompletionSpec, rules: EvidenceRules, form: FormState): SafeHtml {
  const { values, errors } = stateOf(form, 'progress');
  return folded(
    'progress',
    '反馈进展',
    form.form === 'progress',
    html`<form method="post" action="${action(taskId, 'progress')}" enctype="multipart/form-data" novalidate>
${field('进展情况', '必填', textArea('note', values.note), errors.note)}
${spec.fields.map((f) => figureInput(f, values[f.key] ?? '', errors[f.key], false))}
${fileInput(rules, false, errors.attachments)}
<button type="submit">提交进展</button></form>`,
  );
}

function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: ZONE }).plus({ days }).toISODate() ?? date;
}

/** 申请延期: hidden while a request waits for its decision. */
export function extensionForm(state: TaskState, form: FormState): SafeHtml {
  const { values, errors } = stateOf(form, 'extension');
  const earliest = [plusDays(state.dueOn, 1), today()].sort().at(-1);
  return folded(
    'extension',
    '申请延期',
    form.form === 'extension',
    html`<form method="post" action="${action(state.taskId, 'extension')}" novalidate>
${field('申请延至', `须晚于当前截止日 ${state.dueOn}`, dateInput('dueOn', values.dueOn, { min: earliest }), errors.dueOn)}
${field('延期原因', REASON_HINT, textArea('reason', values.reason), errors.reason)}
<button type="submit">提交申请</button></form>`,
  );
}

/** 审批延期: approve with a date (the requested one unless shortened), or reject with a reason. */
export function decisionForm(state: TaskState, tree: OrgTree, form: FormState): SafeHtml {
  const pending = state.extension?.pending;
  if (!pending) return html``;
  const { values, errors } = stateOf(form, 'decision');
  return html`<section id="decision"><h2>审批延期</h2>
<p>${nameOf(tree, pending.by)} 申请将截止日从 ${state.dueOn} 延至 <strong>${pending.dueOn}</strong>。原因: ${pending.reason}</p>
<form method="post" action="${action(state.taskId, 'extension/decision')}" novalidate>
${field('批准的截止日期', `默认为申请的日期;可以提前,不能推后`, dateInput('dueOn', values.dueOn ?? pending.dueOn, { max: pending.dueOn }), errors.dueOn)}
${field('原因或说明', `驳回时必填,最多 ${COMPLETION_LIMITS.reasonLength} 字`, textArea('reason', values.reason, 2), errors.reason)}
<div class="actions"><button type="submit" name="decision" value="approve">批准延期</button><button type="submit" name="decision" value="reject" class="secondary">驳回</button></div>${fieldError(errors.decision)}
</form></section>`;
}

/** 办结审核: accept, or return with a reason and, if the old deadline should not stand, a new one. */
export function reviewForm(state: TaskState, tree: OrgTree, form: FormState): SafeHtml {
  const completion = state.completion;
  if (!completion) return html``;
  const { values, errors } = stateOf(form, 'review');
  return html`<section id="review"><h2>办结审核</h2>
<p>${nameOf(tree, completion.by)} 已登记办结,请核对上面的数据和佐证材料。</p>
<form method="post" action="${action(state.taskId, 'review')}" novalidate>
${field('退回原因', `退回时必填,最多 ${COMPLETION_LIMITS.reasonLength} 字`, textArea('reason', values.reason, 2), errors.reason)}
${field('新的截止日期', `退回时选填;不填则仍为 ${state.dueOn}`, dateInput('dueOn', values.dueOn, { min: today() }), errors.dueOn)}
<div class="actions"><button type="submit" name="decision" value="accept">审核通过</button><button type="submit" name="decision" value="return" class="secondary">退回重办</button></div>${fieldError(errors.decision)}
</form></section>`;
}

/** Who a supervisor may hand the task to: the unit's own people, and anyone in a unit the supervisor oversees. */
export function reassignCandidates(tree: OrgTree, actor: string, state: TaskState): Person[] {
  return tree.roster.people.filter((p) => p.id !== state.assignee.personId && (p.unit === state.assignee.unitId || tree.canSupervise(actor, p.unit)));
}

/** 转办: people grouped by unit, the task's own unit first. */
export function reassignForm(state: TaskState, tree: OrgTree, candidates: Person[], form: FormState): SafeHtml {
  if (candidates.length === 0) return html``;
  const { values, errors } = stateOf(form, 'reassign');
  const units = [...new Set([state.assignee.unitId, ...candidates.map((p) => p.unit)])].filter((u) => candidates.some((p) => p.unit === u));
  const options = units.map(
    (u) =>
      html`<optgroup label="${tree.hasUnit(u) ? tree.unit(u).name : u}">${candidates
        .filter((p) => p.unit === u)
        .map((p) => html`<option value="${p.id}" ${values.to === p.id ? 'selected' : ''}>${p.name}(${p.id})</option>`)}</optgroup>`,
  );
  return folded(
    'reassign',
    '转办',
    form.form === 'reassign',
    html`<form method="post" action="${action(state.taskId, 'reassign')}" novalidate>
${field('转给', '本单位或您督查的单位中的人员', html`<select name="to"><option value="">请选择</option>${options}</select>`, errors.to)}
${field('转办原因', REASON_HINT, textArea('reason', values.reason, 2), errors.reason)}
<button type="submit">转办</button></form>`,
  );
}

export function waiveForm(taskId: string, form: FormState): SafeHtml {
  const { values, errors } = stateOf(form, 'waive');
  return html`<section id="waive"><h2>免除任务</h2><form class="inline" method="post" action="${action(taskId, 'waive')}">
<input type="text" name="reason" placeholder="免除原因(必填)" value="${values.reason ?? ''}"><button type="submit" class="secondary">免除</button></form>${fieldError(errors.reason)}</section>`;
}

function nameOf(tree: OrgTree, id: string): string {
  return tree.hasPerson(id) ? tree.person(id).name : id;
}
