import type { AttachmentRef, Completion, TaskState } from '../../contracts/dutyTask';
import type { OrgTree } from '../../roster/orgTree';
import { describeFigures } from '../../services/audit';
import { ACTION_NAMES, eventDetail, sizeText } from '../../services/taskWords';
import { KIND_NAMES } from '../../shared/evidence';
import { type Light, stateName } from '../../shared/taskStates';
import type { CompletionField } from '../../shared/types';
import { daysLeftBadge, lightBadge, stamp } from './format';
import { html, type SafeHtml } from './html';

/**
 * What the task page tells about a task: where it stands in the 督办 steps, its deadlines, the latest progress,
 * the completion with its evidence, returns and earlier holders, and the history. A photo's capture time and place
 * are shown only to those who supervise the task (`supervisor`), who judge an on-site visit by them.
 */

export interface FactsView {
  state: TaskState;
  tree: OrgTree;
  fields: CompletionField[];
  supervisor: boolean;
  /** The traffic light (红黄绿灯) shown beside the status. */
  light?: Light;
}

function personName(tree: OrgTree, id: string): string {
  return tree.hasPerson(id) ? tree.person(id).name : id === 'system' ? '系统' : id;
}

/** Browsers show these inline; a HEIC photo is offered as a link only. */
const THUMBNAIL_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

function evidenceUrl(taskId: string, sha256: string): string {
  return `/tasks/${encodeURIComponent(taskId)}/evidence/${sha256}`;
}

function exifText(exif: AttachmentRef['exif']): string {
  if (!exif) return '';
  const at = exif.takenAt ? `拍摄于 ${stamp(exif.takenAt)}` : '';
  const where = exif.latitude !== undefined && exif.longitude !== undefined ? `位置 ${exif.latitude.toFixed(5)}, ${exif.longitude.toFixed(5)}` : '';
  return [at, where].filter(Boolean).join(',');
}

/** Each file as a link, photos as thumbnails; name, kind and size, and for supervisors where and when a photo was taken. */
export function attachmentList(v: FactsView, refs: AttachmentRef[] | undefined): SafeHtml | string {
  if (!refs?.length) return '';
  return html`<ul class="evidence">${refs.map((r) => {
    const url = evidenceUrl(v.state.taskId, r.sha256);
    const exif = v.supervisor ? exifText(r.exif) : '';
    return html`<li>${THUMBNAIL_TYPES.has(r.mime) ? html`<a href="${url}" class="thumb"><img src="${url}" alt="${r.name}" loading="lazy"></a>` : ''}<a href="${url}">${r.name}</a> <span class="muted">${KIND_NAMES[r.kind]},${sizeText(r.size)}${exif ? `;${exif}` : ''}</span></li>`;
  })}</ul>`;
}

function figures(v: FactsView, values: Completion['fields']): SafeHtml[] {
  return describeFigures(values, v.fields).map((f) => html`<div>${f}</div>`);
}

function deadline(state: TaskState, open: boolean): SafeHtml {
  const x = state.extension;
  return html`<dt>截止</dt><dd id="task-deadline">${state.dueOn}${state.provisional ? '(暂定:该年无节假日数据)' : ''} ${open ? daysLeftBadge(state.dueOn, new Date(state.dueAt)) : ''}${
    x && x.originalDueOn !== state.dueOn ? html`<div class="muted">原截止 ${x.originalDueOn},已批准延期 ${x.granted} 次</div>` : ''
  }</dd>`;
}

function extensionFacts(v: FactsView): SafeHtml | string {
  const x = v.state.extension;
  if (!x?.pending && !x?.lastDecision) return '';
  const d = x.lastDecision;
  const who = (id: string) => personName(v.tree, id);
  return html`<dt>延期</dt><dd id="task-extension">${
    x.pending ? html`<div><span class="badge warn">待审批</span> ${who(x.pending.by)} 于 ${stamp(x.pending.at)} 申请延至 ${x.pending.dueOn},原因: ${x.pending.reason}</div>` : ''
  }${
    d ? html`<div class="muted">${who(d.by)} 于 ${stamp(d.at)} ${d.approved ? `批准延期至 ${d.dueOn ?? v.state.dueOn}` : '驳回延期申请'}${d.reason ? `,${d.approved ? '说明' : '原因'}: ${d.reason}` : ''}</div>` : ''
  }</dd>`;
}

function acknowledgement(v: FactsView, open: boolean): SafeHtml | string {
  const a = v.state.acknowledged;
  if (a) return html`<dt>签收</dt><dd id="task-ack">${personName(v.tree, a.by)} 于 ${stamp(a.at)}</dd>`;
  return open ? html`<dt>签收</dt><dd id="task-ack"><span class="badge warn">尚未签收</span></dd>` : '';
}

function progress(v: FactsView): SafeHtml | string {
  const p = v.state.progress;
  if (!p) return '';
  return html`<dt>最新进展</dt><dd id="task-progress">${personName(v.tree, p.by)} 于 ${stamp(p.at)}<div>${p.note}</div>${figures(v, p.fields)}${attachmentList(v, p.attachments)}</dd>`;
}

function completion(v: FactsView): SafeHtml | string {
  const c = v.state.completion;
  if (!c) return '';
  const review = v.state.review;
  return html`<dt>完成</dt><dd id="completion">${personName(v.tree, c.by)} 于 ${stamp(c.at)}${v.state.status === 'review' ? html` <span class="badge warn">待审核</span>` : ''}${
    c.note ? html`<div>${c.note}</div>` : ''
  }${figures(v, c.fields)}${attachmentList(v, c.attachments)}${review ? html`<div class="muted">${personName(v.tree, review.by)} 于 ${stamp(review.at)} 审核通过</div>` : ''}</dd>`;
}

function returns(v: FactsView): SafeHtml | string {
  const list = v.state.returned ?? [];
  if (list.length === 0) return '';
  return html`<dt>退回</dt><dd id="task-returns">${list.map(
    (r) =>
      html`<div class="returned">${personName(v.tree, r.returnedBy)} 于 ${stamp(r.returnedAt)} 退回了 ${personName(v.tree, r.by)} ${stamp(r.at)} 的办结登记,原因: ${r.reason}${attachmentList(v, r.attachments)}</div>`,
  )}</dd>`;
}

function previousAssignees(v: FactsView): SafeHtml | string {
  const list = v.state.previousAssignees ?? [];
  if (list.length === 0) return '';
  const unit = (id: string) => (v.tree.hasUnit(id) ? v.tree.unit(id).name : id);
  return html`<dt>转办</dt><dd id="task-previous">${list.map(
    (p) => html`<div>${stamp(p.until)} ${personName(v.tree, p.by)} 将任务从 ${unit(p.unitId)} ${personName(v.tree, p.personId)} 转出,原因: ${p.reason}</div>`,
  )}</dd>`;
}

/** The task's facts as a definition list; `unit` is the assignee's unit as the page names it. */
export function taskFacts(v: FactsView): SafeHtml {
  const { state, tree } = v;
  const open = state.status === 'open' || state.status === 'overdue';
  const unit = tree.hasUnit(state.assignee.unitId) ? tree.unit(state.assignee.unitId).name : state.assignee.unitId;
  return html`<dl class="kv">
<dt>任务编号</dt><dd>${state.taskId}</dd>
<dt>周期</dt><dd>${state.period}</dd>
<dt>单位 / 责任人</dt><dd id="task-assignee">${unit} · ${personName(tree, state.assignee.personId)}</dd>
<dt>状态</dt><dd id="task-status">${stateName(state.status, state.flags)}${state.escalationLevel > 0 ? html` <span class="badge bad">${state.escalationLevel}级督办</span>` : ''}</dd>
${v.light ? html`<dt>亮灯</dt><dd id="task-light">${lightBadge(v.light)}</dd>` : ''}
${deadline(state, open)}
${acknowledgement(v, open)}
${extensionFacts(v)}
${progress(v)}
${completion(v)}
${state.waiver ? html`<dt>免除</dt><dd>${personName(tree, state.waiver.by)} 于 ${stamp(state.waiver.at)},原因: ${state.waiver.reason}</dd>` : ''}
${returns(v)}
${previousAssignees(v)}
</dl>`;
}

/** 经过: every event, each action in words. */
export function taskEvents(v: FactsView): SafeHtml {
  return html`<h2>经过</h2><div class="table-wrap"><table id="events" class="stack"><thead><tr><th>时间</th><th>事项</th><th>办理人</th><th>说明</th></tr></thead><tbody>
${v.state.events.map(
  (e) =>
    html`<tr><td data-label="时间">${stamp(e.at)}</td><td data-label="事项">${ACTION_NAMES[e.action]}</td><td data-label="办理人">${personName(v.tree, e.actor)}</td>${
      e.detail ? html`<td data-label="说明">${eventDetail(e)}</td>` : html`<td class="empty"></td>`
    }</tr>`,
)}
</tbody></table></div>`;
}
