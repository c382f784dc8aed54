import type { FastifyInstance } from 'fastify';
import { personalScope } from '../../auth/policy';
import type { OrgTree } from '../../roster/orgTree';
import { findTasks } from '../../services/tasks';
import type { TaskSummary } from '../../tasks/query';
import type { HttpDeps } from '../types';
import { daysLeftBadge } from './format';
import { html } from './html';
import { renderPage } from './layout';
import { pageRoute } from './route';

const NOTICES: Record<string, string> = { completed: '已登记完成' };

function card(t: TaskSummary, tree: OrgTree, now: Date) {
  const unit = tree.hasUnit(t.unit) ? tree.unit(t.unit).name : t.unit;
  const who = tree.hasPerson(t.assignee) ? tree.person(t.assignee).name : t.assignee;
  return html`<article class="task" data-task="${t.taskId}">
  <h3><a href="/tasks/${encodeURIComponent(t.taskId)}">${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}</a></h3>
  <div class="meta"><span>周期 ${t.period}</span><span>截止 ${t.dueOn}${t.provisional ? '(暂定)' : ''}</span>${daysLeftBadge(t.dueOn, t.dueAt, now)}
  <span>${unit} · ${who}</span>${t.escalationLevel > 0 ? html`<span class="badge bad">${t.escalationLevel}级督办</span>` : ''}</div>
  <div class="actions"><a class="button" href="/tasks/${encodeURIComponent(t.taskId)}#complete">登记完成</a></div>
</article>`;
}

/** 我的任务: my own and my unit's open and overdue tasks, most urgent first. */
export function myTasksPage(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/my' }, async ({ req, principal }) => {
    const tree = await deps.services.tree();
    const scope = personalScope(tree.person(principal.personId));
    const tasks = await findTasks(deps.services, principal, { statuses: ['open', 'overdue'] }, scope);
    const now = new Date();
    const overdue = tasks.filter((t) => t.dueAt.getTime() < now.getTime());
    const ok = NOTICES[String((req.query as Record<string, unknown>).ok ?? '')];
    return renderPage({
      title: '我的任务',
      principal,
      active: 'my',
      ...(ok ? { notice: ok } : {}),
      body: html`<h1>我的任务</h1>
<div class="cards"><div class="card"><div class="muted">未办结</div><div class="num" id="open-count">${tasks.length}</div></div>
<div class="card bad"><div class="muted">已逾期</div><div class="num" id="overdue-count">${overdue.length}</div></div></div>
<h2>待办与逾期(本人及本单位)</h2>
${tasks.length ? html`<div class="tasks">${tasks.map((t) => card(t, tree, now))}</div>` : html`<p class="muted">暂无待办任务。</p>`}`,
    });
  });
}
