import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { personalScope } from '../../auth/policy';
import type { OrgTree } from '../../roster/orgTree';
import { lightsAt } from '../../services/lights';
import { findTasks } from '../../services/tasks';
import { type Light, STATUS_NAMES } from '../../shared/taskStates';
import type { TaskSummary } from '../../tasks/query';
import { FlagQuery } from '../api/schemas';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { daysLeftBadge, flagBadges, flagSelect, lightBadge } from './format';
import { html, type SafeHtml } from './html';
import { renderPage } from './layout';
import { pageRoute } from './route';

const NOTICES: Record<string, string> = { completed: '已登记完成' };
const Query = z.object({ flag: FlagQuery });

interface Shown {
  tree: OrgTree;
  now: Date;
  light: (t: TaskSummary) => Light;
}

function card(t: TaskSummary, { tree, now, light }: Shown) {
  const unit = tree.hasUnit(t.unit) ? tree.unit(t.unit).name : t.unit;
  const who = tree.hasPerson(t.assignee) ? tree.person(t.assignee).name : t.assignee;
  const inReview = t.status === 'review';
  return html`<article class="task" data-task="${t.taskId}" data-status="${t.status}">
  <h3><a href="/tasks/${encodeURIComponent(t.taskId)}">${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}</a></h3>
  <div class="meta"><span>周期 ${t.period}</span><span>截止 ${t.dueOn}${t.provisional ? '(暂定)' : ''}</span>${lightBadge(light(t))}${inReview ? '' : daysLeftBadge(t.dueOn, t.dueAt, now)}
  <span>${unit} · ${who}</span>${t.escalationLevel > 0 ? html`<span class="badge bad">${t.escalationLevel}级督办</span>` : ''}${inReview ? '' : flagBadges(t.flags, t.originalDueOn)}</div>
  ${inReview ? '' : html`<div class="actions">${t.flags.includes('unacknowledged') ? html`<form class="inline" method="post" action="/tasks/${encodeURIComponent(t.taskId)}/ack"><button type="submit" class="secondary">签收</button></form>` : ''}<a class="button" href="/tasks/${encodeURIComponent(t.taskId)}">办理(反馈、延期、登记完成)</a></div>`}
</article>`;
}

function section(title: string, tasks: TaskSummary[], shown: Shown, empty: string): SafeHtml {
  return html`<h2>${title}</h2>
${tasks.length ? html`<div class="tasks">${tasks.map((t) => card(t, shown))}</div>` : html`<p class="muted">${empty}</p>`}`;
}

/** 我的任务: my own and my unit's open and overdue tasks, most urgent first, then those waiting for review. */
export function myTasksPage(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/my' }, async ({ req, principal }) => {
    const { flag } = parsePart(Query, req.query, 'query');
    const tree = await deps.services.tree();
    const scope = personalScope(tree.person(principal.personId));
    const tasks = await findTasks(deps.services, principal, { statuses: ['open', 'overdue', 'review'], flags: flag ? [flag] : undefined }, scope);
    const now = new Date();
    const open = tasks.filter((t) => t.status !== 'review');
    const inReview = tasks.filter((t) => t.status === 'review');
    const overdue = open.filter((t) => t.dueAt.getTime() < now.getTime());
    const shown: Shown = { tree, now, light: lightsAt(deps.services, now).of };
    const ok = NOTICES[String((req.query as Record<string, unknown>).ok ?? '')];
    return renderPage({
      title: '我的任务',
      principal,
      active: 'my',
      ...(ok ? { notice: ok } : {}),
      body: html`<h1>我的任务</h1>
<div class="cards"><div class="card"><div class="muted">未办结</div><div class="num" id="open-count">${open.length}</div></div>
<div class="card bad"><div class="muted">已逾期</div><div class="num" id="overdue-count">${overdue.length}</div></div>
<div class="card"><div class="muted">${STATUS_NAMES.review}</div><div class="num" id="review-count">${inReview.length}</div></div></div>
<form class="filters" method="get" action="/my">${flagSelect(flag)}<button type="submit">筛选</button><a class="button secondary" href="/my">清除</a></form>
${section('待办与逾期(本人及本单位)', open, shown, flag ? '没有符合条件的待办任务。' : '暂无待办任务。')}
${inReview.length ? section('已提交,待审核', inReview, shown, '') : ''}`,
    });
  });
}
