import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../auth/principal';
import { ROW_LIGHT, type OverdueReport, type OverdueRow, type TownshipGroup, type UnitGroup } from '../../report/overdue';
import { flagsText, levelName } from '../../report/format';
import type { Dashboard } from '../../services/dashboard';
import type { TaskFlag } from '../../shared/searchAttributes';
import { LIGHT_NAMES, STATUS_NAMES } from '../../shared/taskStates';
import type { Duty } from '../../shared/types';
import { DashboardQuery, Id } from '../api/schemas';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { z } from 'zod';
import { flagSelect, lightBadge, percent, stamp } from './format';
import { html, qs, type SafeHtml } from './html';
import { trendChart } from './chart';
import { renderPage } from './layout';
import { pageRoute } from './route';

const drill = (what: string) => z.preprocess((v) => (v === '' ? undefined : v), Id(what).optional());
const Query = DashboardQuery.extend({ township: drill('乡镇编号'), unit: drill('单位编号') });
const RANKING_ROWS = 30;

interface Filters {
  duty?: string;
  period?: string;
  flag?: TaskFlag;
}

function filterForm(duties: Duty[], f: Filters): SafeHtml {
  return html`<form class="filters" method="get" action="/overdue">
<label>职责<select name="duty"><option value="">全部职责</option>${duties.map((d) => html`<option value="${d.id}" ${d.id === f.duty ? 'selected' : ''}>${d.title}</option>`)}</select></label>
<label>周期<input name="period" value="${f.period ?? ''}" placeholder="如 2026-10、2026-Q4"></label>
${flagSelect(f.flag)}
<button type="submit">筛选</button><a class="button secondary" href="/overdue">清除</a></form>`;
}

function cards(d: Dashboard): SafeHtml {
  const units = d.report.groups.reduce((n, g) => n + g.units.length, 0);
  const sum = (key: 'review' | 'extensions' | 'returns') => d.ranking.reduce((n, r) => n + r[key], 0);
  return html`<div class="cards">
<div class="card bad"><div class="muted">${lightBadge('red')} 逾期任务</div><div class="num" id="overdue-total">${d.report.total}</div></div>
<div class="card"><div class="muted">${lightBadge('yellow')} ${d.lights.yellowWithin} 个工作日内到期</div><div class="num" id="yellow-total">${d.lights.yellow}</div></div>
<div class="card"><div class="muted">${lightBadge('green')} ${d.lights.yellowWithin} 个工作日后到期</div><div class="num" id="green-total">${d.lights.green}</div></div>
<div class="card"><div class="muted">涉及单位</div><div class="num">${units}</div></div>
<div class="card"><div class="muted">最长逾期(天)</div><div class="num" id="longest-days">${d.overdue.longestDays}</div></div>
<div class="card"><div class="muted">二级及以上督办</div><div class="num" id="escalated-total">${d.overdue.escalatedTwoPlus}</div></div>
<div class="card"><div class="muted">${STATUS_NAMES.review}</div><div class="num" id="review-total">${sum('review')}</div></div>
<div class="card"><div class="muted">批准延期(次)</div><div class="num" id="extensions-total">${sum('extensions')}</div></div>
<div class="card"><div class="muted">退回(次)</div><div class="num" id="returns-total">${sum('returns')}</div></div></div>`;
}

function townshipTable(groups: TownshipGroup[], f: Filters): SafeHtml {
  return html`<div class="table-wrap"><table id="by-township"><thead><tr><th>乡镇/街道</th><th class="num">逾期数</th><th class="num">涉及单位</th></tr></thead><tbody>
${groups.map((g) => html`<tr><td><a href="/overdue${qs({ ...f, township: g.townshipId })}">${g.townshipName}</a></td><td class="num">${g.count}</td><td class="num">${g.units.length}</td></tr>`)}
</tbody></table></div>`;
}

function unitTable(group: TownshipGroup, f: Filters): SafeHtml {
  return html`<div class="table-wrap"><table id="by-unit"><thead><tr><th>村/社区/部门</th><th class="num">逾期数</th></tr></thead><tbody>
${group.units.map((u) => html`<tr><td><a href="/overdue${qs({ ...f, township: group.townshipId, unit: u.unitId })}">${u.unitName}</a></td><td class="num">${u.count}</td></tr>`)}
</tbody></table></div>`;
}

function progressCell(r: OverdueRow): SafeHtml | string {
  return r.latestProgress ? html`${r.latestProgress.note}<div class="muted">${stamp(r.latestProgress.at)}</div>` : '';
}

function taskTable(unit: UnitGroup): SafeHtml {
  const shown = unit.tasks;
  return html`<div class="table-wrap"><table id="overdue-tasks"><thead><tr><th>职责</th><th>周期</th><th>责任人</th><th>截止</th><th class="num">逾期天数</th><th>亮灯</th><th class="hide-narrow">督办级别</th><th>办理状态</th><th>最新进展</th></tr></thead><tbody>
${shown.map((r) => html`<tr data-task="${r.taskId}"><td><a href="/tasks/${encodeURIComponent(r.taskId)}">${r.dutyTitle}</a></td><td>${r.period}</td><td>${r.assigneeName}</td><td>${r.dueOn}</td><td class="num">${r.daysOverdue}</td><td>${lightBadge(ROW_LIGHT)}</td><td class="hide-narrow">${levelName(r.escalationLevel)}</td><td>${flagsText(r)}</td><td class="progress">${progressCell(r)}</td></tr>`)}
</tbody></table></div>${unit.count > shown.length ? html`<p class="muted">仅显示前 ${shown.length} 项(共 ${unit.count} 项),完整清单请下载 Excel。</p>` : ''}`;
}

function drillDown(report: OverdueReport, f: Filters, township?: string, unit?: string): SafeHtml {
  const group = township ? report.groups.find((g) => g.townshipId === township) : undefined;
  const unitGroup = group && unit ? group.units.find((u) => u.unitId === unit) : undefined;
  const crumbs = html`<div class="crumbs"><a href="/overdue${qs({ ...f })}">全部</a>${group ? html` › <a href="/overdue${qs({ ...f, township: group.townshipId })}">${group.townshipName}</a>` : ''}${unitGroup ? html` › ${unitGroup.unitName}` : ''}</div>`;
  if (report.total === 0) return html`${crumbs}<p class="muted">暂无逾期任务。</p>`;
  if (township && !group) return html`${crumbs}<p class="muted">该乡镇/街道暂无逾期任务。</p>`;
  if (group && unit && !unitGroup) return html`${crumbs}<p class="muted">该单位暂无逾期任务。</p>`;
  if (unitGroup) return html`${crumbs}${taskTable(unitGroup)}`;
  if (group) return html`${crumbs}${unitTable(group, f)}`;
  return html`${crumbs}${townshipTable(report.groups, f)}`;
}

function ranking(d: Dashboard): SafeHtml {
  const rows = d.ranking.slice(0, RANKING_ROWS);
  if (!rows.length) return html`<p class="muted">窗口内没有到期任务。</p>`;
  return html`<div class="table-wrap"><table id="ranking"><thead><tr><th class="num">排名</th><th>单位</th><th class="hide-narrow">乡镇/街道</th><th class="num">${lightBadge('red')} 逾期数</th><th class="num">${lightBadge('yellow')}</th><th class="num hide-narrow">${lightBadge('green')}</th><th class="num hide-narrow">到期任务</th><th class="num">按时完成率</th><th class="num">${STATUS_NAMES.review}</th><th class="num hide-narrow">延期</th><th class="num hide-narrow">退回</th></tr></thead><tbody>
${rows.map((r, i) => html`<tr data-unit="${r.unitId}"><td class="num">${i + 1}</td><td>${r.unitName}</td><td class="hide-narrow">${r.townshipName}</td><td class="num">${r.overdue}</td><td class="num">${r.yellow}</td><td class="num hide-narrow">${r.green}</td><td class="num hide-narrow">${r.due}</td><td class="num">${percent(r.onTimeRate)} ${r.onTimeRate === null ? '' : html`<meter min="0" max="1" value="${r.onTimeRate}"></meter>`}</td><td class="num">${r.review}</td><td class="num hide-narrow">${r.extensions}</td><td class="num hide-narrow">${r.returns}</td></tr>`)}
</tbody></table></div><p class="muted">按逾期数从多到少,同数时按时完成率低者在前;按时完成率统计${d.window.from ? ` ${d.window.from} 至 ${d.window.to}` : '所选周期'}内已到期的任务(不含免除)。延期、退回为这些任务和尚未办结的任务已批准的延期次数和被退回的次数;待审核为已提交完成、等待审核的任务,不计逾期。${LIGHT_NAMES.yellow}为 ${d.lights.yellowWithin} 个工作日内到期、${LIGHT_NAMES.green}为更晚到期的未办结任务(已延期的不计)。</p>`;
}

export function renderDashboard(principal: Principal, d: Dashboard, duties: Duty[], f: Filters, township?: string, unit?: string): string {
  const downloads = (format: string) => `/api/reports/overdue${qs({ format, duty: f.duty, period: f.period, flag: f.flag, unit: unit ?? (township && township !== 'departments' ? township : undefined) })}`;
  return renderPage({
    title: '逾期督办',
    principal,
    active: 'overdue',
    body: html`<h1>逾期督办</h1><p class="muted">范围: ${d.report.scope.unitName} · 截至 ${stamp(d.report.asOf)}</p>
${filterForm(duties, f)}
${cards(d)}
<div class="actions"><a class="button" id="download-xlsx" href="${downloads('xlsx')}">下载 Excel</a><a class="button secondary" id="download-csv" href="${downloads('csv')}">下载 CSV</a></div>
<h2>逾期分布</h2>${drillDown(d.report, f, township, unit)}
<h2>单位排名</h2>${ranking(d)}
<h2>逾期趋势</h2>${trendChart(d.trend)}`,
  });
}

/** 逾期督办: counts by township and unit with drill-down (one unit's rows), ranking, trend, filters and downloads. */
export function overduePage(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/overdue', roles: ['admin', 'supervisor'] }, async ({ req, principal }) => {
    const q = parsePart(Query, req.query, 'query');
    const f: Filters = { duty: q.duty, period: q.period, flag: q.flag };
    const narrowing = { dutyId: q.duty, period: q.period, flags: q.flag ? [q.flag] : undefined, unitId: q.unit };
    const [d, catalog] = await Promise.all([deps.services.dashboards.get(principal, narrowing), deps.services.catalog()]);
    return renderDashboard(principal, d, catalog.duties, f, q.township, q.unit);
  });
}
