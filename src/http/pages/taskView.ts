import type { Principal } from '../../auth/principal';
import type { TaskState } from '../../contracts/dutyTask';
import { lightsAt } from '../../services/lights';
import { completionSpecFor } from '../../services/tasks';
import type { HttpDeps } from '../types';
import { html } from './html';
import { renderPage } from './layout';
import { taskEvents, taskFacts } from './taskFacts';
import type { FormState } from './taskForms';
import { acknowledgeForm, completionForm, decisionForm, extensionForm, progressForm, reassignCandidates, reassignForm, reviewForm, waiveForm } from './taskStepForms';

/**
 * The task page: the facts, then what the viewer may do now. The unit side (the assignee, the same unit, admins)
 * signs for it, reports progress, asks for more time and completes it; a supervisor of the unit (or an admin)
 * decides on extensions, reviews completions and hands the task on. Forms appear only while their step applies.
 */
export async function renderTask(deps: HttpDeps, principal: Principal, state: TaskState, form: FormState, notice?: string): Promise<string> {
  const tree = await deps.services.tree();
  const me = principal.personId;
  const open = state.status === 'open' || state.status === 'overdue';
  const closed = state.status === 'done' || state.status === 'waived';
  const duty = (await deps.services.catalog()).duties.find((d) => d.id === state.dutyId);
  const spec = duty ? completionSpecFor(duty, state) : undefined;
  const unitSide = tree.canComplete(me, state.assignee);
  const supervisor = tree.canSupervise(me, state.assignee.unitId);
  // The workflow refuses deciding on one's own request or reviewing one's own work, so those forms are not offered.
  const ownWork = (by: string | undefined) => by === me || state.assignee.personId === me;
  const limits = deps.services.settings.evidence;
  const rules = { spec: spec?.attachments, maxFiles: limits.maxFiles, maxMegabytes: Math.round(limits.maxFileBytes / 1024 / 1024) };
  const candidates = supervisor && !closed ? reassignCandidates(tree, me, state) : [];
  const pending = state.extension?.pending;
  const body = html`<h1>${state.dutyTitle}${state.phaseTitle ? `·${state.phaseTitle}` : ''}</h1>
${taskFacts({ state, tree, fields: spec?.fields ?? [], supervisor, light: lightsAt(deps.services).of({ ...state, flags: state.flags ?? [], dueAt: new Date(state.dueAt) }) })}
${duty?.description ? html`<p class="muted">${duty.description}</p>` : ''}
${open && unitSide && !state.acknowledged ? acknowledgeForm(state.taskId) : ''}
${open && supervisor && pending && !ownWork(pending.by) ? decisionForm(state, tree, form) : ''}
${state.status === 'review' && supervisor && !ownWork(state.completion?.by) ? reviewForm(state, tree, form) : ''}
${open && unitSide && spec ? completionForm(state.taskId, spec, rules, form) : ''}
${open && unitSide && spec ? progressForm(state.taskId, spec, rules, form) : ''}
${open && unitSide && !pending ? extensionForm(state, form) : ''}
${open && unitSide && pending ? html`<p class="muted" id="extension-pending">延期申请(延至 ${pending.dueOn})正在等待审批。</p>` : ''}
${reassignForm(state, tree, candidates, form)}
${open && principal.role === 'admin' ? waiveForm(state.taskId, form) : ''}
${taskEvents({ state, tree, fields: spec?.fields ?? [], supervisor })}
<p class="muted">已发送通知 ${state.deliveries.length} 条。</p>`;
  return renderPage({
    title: state.dutyTitle,
    principal,
    active: 'my',
    ...(notice ? { notice } : {}),
    ...(form.message ? { error: { message: form.message, ...(form.issues ? { issues: form.issues } : {}) } } : {}),
    body,
  });
}

