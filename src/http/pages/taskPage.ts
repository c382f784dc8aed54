import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal';
import type { OrgTree } from '../../roster/orgTree';
import { describeFigures } from '../../services/audit';
import { completeTask, completionSpecFor, showTask, waiveTask } from '../../services/tasks';
import type { TaskState } from '../../contracts/dutyTask';
import type { CompletionField, CompletionSpec } from '../../shared/types';
import { httpActor } from '../api/tasks';
import { TaskIdParams } from '../api/schemas';
import { toHttpError } from '../errors';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { STATUS_NAMES, daysLeftBadge, stamp } from './format';
import { html, type SafeHtml } from './html';
import { renderPage } from './layout';
import { pageRoute, seeOther } from './route';

const ACTIONS: Record<string, string> = { opened: '开启', overdue: '逾期', escalated: '升级督办', completed: '完成', waived: '免除' };
const NOTICES: Record<string, string> = { waived: '已免除此任务' };
const FIELD_PREFIX = 'f.';

/** Form posts: every value is text; only the prefixed ones are figures, so a field can never be called `note`. */
const ReasonForm = z.object({ reason: z.string().max(500, '原因最多 500 字').default('') });
/** No length limit here: over-long text is refused next to its field with the text kept (`tooLong`), not on an error page. */
const FormBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const MAX_TEXT = 2000;

interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  message?: string;
}

function personName(tree: OrgTree, id: string): string {
  return tree.hasPerson(id) ? tree.person(id).name : id === 'system' ? '系统' : id;
}

function fieldInput(f: CompletionField, form: FormState): SafeHtml {
  const name = `${FIELD_PREFIX}${f.key}`;
  const value = form.values[f.key] ?? '';
  const error = form.errors[f.key];
  const hint = [f.required ? '必填' : '选填', f.unit ? `单位: ${f.unit}` : '', f.min !== undefined ? `不小于 ${f.min}` : '', f.max !== undefined ? `不大于 ${f.max}` : '']
    .filter(Boolean)
    .join(',');
  let input: SafeHtml;
  if (f.type === 'boolean') {
    input = html`<select name="${name}" id="${name}"><option value="">请选择</option><option value="true" ${value === 'true' ? 'selected' : ''}>是</option><option value="false" ${value === 'false' ? 'selected' : ''}>否</option></select>`;
  } else if (f.type === 'integer' || f.type === 'number') {
    input = html`<input type="number" inputmode="${f.type === 'integer' ? 'numeric' : 'decimal'}" step="${f.type === 'integer' ? '1' : 'any'}" name="${name}" id="${name}" value="${value}">`;
  } else if (f.type === 'date') {
    input = html`<input type="date" name="${name}" id="${name}" value="${value}">`;
  } else {
    input = html`<input type="text" name="${name}" id="${name}" value="${value}">`;
  }
  return html`<label class="field ${error ? 'invalid' : ''}"><span>${f.label} <small>(${hint})</small></span>${input}${error ? html`<div class="field-error">${error}</div>` : ''}</label>`;
}

/** `novalidate`: the browser's own messages follow its language; the server's Chinese ones are shown instead. */
function completionForm(taskId: string, spec: CompletionSpec, form: FormState): SafeHtml {
  return html`<section id="complete"><h2>登记完成</h2>
<form method="post" action="/tasks/${encodeURIComponent(taskId)}/complete" novalidate>
${spec.fields.map((f) => fieldInput(f, form))}
<label class="field ${form.errors.note ? 'invalid' : ''}"><span>情况说明 <small>(${spec.note === 'required' ? '必填' : '选填'})</small></span><textarea name="note" rows="3">${form.values.note ?? ''}</textarea>${form.errors.note ? html`<div class="field-error">${form.errors.note}</div>` : ''}</label>
<button type="submit">提交完成</button></form></section>`;
}

/** The workflow notes an escalation as `level 2`; the page says it in words. */
function eventDetail(e: TaskState['events'][number]): string {
  const level = e.action === 'escalated' ? /^level (\d+)$/.exec(e.detail ?? '')?.[1] : undefined;
  return level ? `升级为 ${level} 级督办` : (e.detail ?? '');
}

/** Who completed it and when, and each figure with the duty's label and unit, one to a line. */
function completionDetail(tree: OrgTree, c: NonNullable<TaskState['completion']>, fields: CompletionField[]): SafeHtml {
  const figures = describeFigures(c.fields, fields);
  return html`<dt>完成</dt><dd id="completion">${personName(tree, c.by)} 于 ${stamp(c.at)}${figures.map((f) => html`<div>${f}</div>`)}</dd>`;
}

function waiveForm(taskId: string): SafeHtml {
  return html`<section><h2>免除任务</h2><form class="inline" method="post" action="/tasks/${encodeURIComponent(taskId)}/waive">
<input type="text" name="reason" placeholder="免除原因(必填)"><button type="submit" class="secondary">免除</button></form></section>`;
}

async function render(deps: HttpDeps, principal: Principal, state: TaskState, form: FormState, notice?: string): Promise<string> {
  const tree = await deps.services.tree();
  const open = state.status === 'open' || state.status === 'overdue';
  const duty = (await deps.services.catalog()).duties.find((d) => d.id === state.dutyId);
  const spec = duty ? completionSpecFor(duty, state.phase) : undefined;
  const canComplete = open && spec !== undefined && tree.canComplete(principal.personId, state.assignee);
  const unit = tree.hasUnit(state.assignee.unitId) ? tree.unit(state.assignee.unitId).name : state.assignee.unitId;
  const body = html`<h1>${state.dutyTitle}${state.phaseTitle ? `·${state.phaseTitle}` : ''}</h1>
<dl class="kv">
<dt>任务编号</dt><dd>${state.taskId}</dd>
<dt>周期</dt><dd>${state.period}</dd>
<dt>单位 / 责任人</dt><dd>${unit} · ${personName(tree, state.assignee.personId)}</dd>
<dt>状态</dt><dd id="task-status">${STATUS_NAMES[state.status]}${state.escalationLevel > 0 ? html` <span class="badge bad">${state.escalationLevel}级督办</span>` : ''}</dd>
<dt>截止</dt><dd>${state.dueOn}${state.provisional ? '(暂定:该年无节假日数据)' : ''} ${open ? daysLeftBadge(state.dueOn, new Date(state.dueAt)) : ''}</dd>
${state.completion ? completionDetail(tree, state.completion, spec?.fields ?? []) : ''}
${state.waiver ? html`<dt>免除</dt><dd>${personName(tree, state.waiver.by)} 于 ${stamp(state.waiver.at)},原因: ${state.waiver.reason}</dd>` : ''}
</dl>
${duty?.description ? html`<p class="muted">${duty.description}</p>` : ''}
${canComplete && spec ? completionForm(state.taskId, spec, form) : ''}
${open && principal.role === 'admin' ? waiveForm(state.taskId) : ''}
<h2>经过</h2><div class="table-wrap"><table id="events" class="stack"><thead><tr><th>时间</th><th>事项</th><th>办理人</th><th>说明</th></tr></thead><tbody>
${state.events.map((e) => html`<tr><td data-label="时间">${stamp(e.at)}</td><td data-label="事项">${ACTIONS[e.action] ?? e.action}</td><td data-label="办理人">${personName(tree, e.actor)}</td>${e.detail ? html`<td data-label="说明">${eventDetail(e)}</td>` : html`<td class="empty"></td>`}</tr>`)}
</tbody></table></div>
<p class="muted">已发送通知 ${state.deliveries.length} 条。</p>`;
  return renderPage({
    title: state.dutyTitle,
    principal,
    active: 'my',
    ...(notice ? { notice } : {}),
    ...(form.message ? { error: { message: form.message } } : {}),
    body,
  });
}

function fromForm(body: z.output<typeof FormBody>): { note?: string; fields: Record<string, string>; values: Record<string, string> } {
  const values: Record<string, string> = {};
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const text = (Array.isArray(v) ? v[0] : v) ?? '';
    if (k.startsWith(FIELD_PREFIX)) {
      values[k.slice(FIELD_PREFIX.length)] = text;
      if (text.trim() !== '') fields[k.slice(FIELD_PREFIX.length)] = text.trim();
    }
  }
  const note = typeof body.note === 'string' ? body.note : undefined;
  if (note !== undefined) values.note = note;
  return { note: note?.trim() || undefined, fields, values };
}

/** Text over the limit, by field, with a message for next to it; the cadre's text stays in the form. */
function tooLong(values: Record<string, string>): Record<string, string> {
  const over = Object.entries(values).filter(([, v]) => v.length > MAX_TEXT);
  return Object.fromEntries(over.map(([k, v]) => [k, `${k === 'note' ? '情况说明' : ''}最多 ${MAX_TEXT} 字,现有 ${v.length} 字,请删减后再提交`]));
}

export function taskPages(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  pageRoute(app, { method: 'GET', url: '/tasks/:taskId' }, async ({ req, principal }) => {
    const { taskId } = parsePart(TaskIdParams, req.params, 'params');
    const notice = NOTICES[String((req.query as Record<string, unknown>).ok ?? '')];
    return render(deps, principal, await showTask(ctx, principal, taskId), { values: {}, errors: {} }, notice);
  });

  pageRoute(app, { method: 'POST', url: '/tasks/:taskId/complete' }, async ({ req, reply, principal }) => {
    const { taskId } = parsePart(TaskIdParams, req.params, 'params');
    const { note, fields, values } = fromForm(parsePart(FormBody, req.body, 'form'));
    const errors = tooLong(values);
    if (Object.keys(errors).length) {
      reply.code(400);
      return render(deps, principal, await showTask(ctx, principal, taskId), { values, errors, message: '请按提示修改后再提交' });
    }
    try {
      await completeTask(ctx, principal, httpActor(principal), taskId, { by: principal.personId, note, fields });
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      // The workflow's validator is the one judge of the figures; its per-field verdicts go next to the inputs.
      const { body, status } = toHttpError(err);
      const errors = Object.fromEntries((body.issues ?? []).map((i) => [i.field.replace(/^fields\./, ''), i.message]));
      reply.code(status);
      return render(deps, principal, await showTask(ctx, principal, taskId), { values, errors, message: body.issues?.length ? '请按提示修改后再提交' : body.error });
    }
    seeOther(reply, `/my?ok=completed`);
    return undefined;
  });

  pageRoute(app, { method: 'POST', url: '/tasks/:taskId/waive', roles: ['admin'] }, async ({ req, reply, principal }) => {
    const { taskId } = parsePart(TaskIdParams, req.params, 'params');
    const reason = parsePart(ReasonForm, req.body, 'form').reason.trim();
    if (!reason) {
      reply.code(400);
      return render(deps, principal, await showTask(ctx, principal, taskId), { values: {}, errors: {}, message: '免除原因(reason)不能为空' });
    }
    await waiveTask(ctx, principal, httpActor(principal), taskId, { by: principal.personId, reason });
    seeOther(reply, `/tasks/${encodeURIComponent(taskId)}?ok=waived`);
    return undefined;
  });
}
