import type { FastifyInstance } from 'fastify';
import { coversUnit, scopeOf } from '../../auth/policy';
import type { Principal } from '../../auth/principal';
import { ASSESSMENT_SOURCES, type AssessmentSource, isRanked, RANKED_KINDS, type RankedKind, type UnitScore } from '../../report/assessment';
import { asOfText, countedOf, deductionItem, eventText, kindHeading, pointsText, rankText, rulesText, SOURCE_NAMES, titleText } from '../../report/assessmentFormat';
import type { AssessmentReport } from '../../report/assessmentReport';
import type { Unit } from '../../shared/types';
import { assessmentFor } from '../../services/assessment';
import { thisYear } from '../api/reports';
import { AssessmentQuery } from '../api/schemas';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { percent } from './format';
import { html, qs, type SafeHtml } from './html';
import { renderPage } from './layout';
import { pageRoute } from './route';

/** Years offered in the form: this one and the four before. */
const YEARS_SHOWN = 5;

interface Choice {
  year: number;
  unit?: string;
  source: AssessmentSource;
}

const link = (c: Choice, over: Partial<Choice> = {}) => {
  const n = { ...c, ...over };
  return `/assessment${qs({ year: String(n.year), unit: n.unit, source: n.source === 'listing' ? undefined : n.source })}`;
};

function filterForm(c: Choice, units: Unit[]): SafeHtml {
  const years = Array.from({ length: YEARS_SHOWN }, (_, i) => thisYear() - i);
  if (!years.includes(c.year)) years.push(c.year);
  return html`<form class="filters" method="get" action="/assessment">
<label>年度<select name="year">${years.map((y) => html`<option value="${y}" ${y === c.year ? 'selected' : ''}>${y} 年</option>`)}</select></label>
<label>单位(含下级)<select name="unit"><option value="">全部</option>${units.map((u) => html`<option value="${u.id}" ${u.id === c.unit ? 'selected' : ''}>${u.name}</option>`)}</select></label>
<label>计分来源<select name="source">${ASSESSMENT_SOURCES.map((s) => html`<option value="${s}" ${s === c.source ? 'selected' : ''}>${SOURCE_NAMES[s]}</option>`)}</select></label>
<button type="submit">查看</button></form>`;
}

function rankingTable(report: AssessmentReport, kind: RankedKind, c: Choice): SafeHtml {
  const units = report.units.filter((u) => u.kind === kind);
  return html`<h2>${kindHeading(report, kind)}</h2><div class="table-wrap"><table id="rank-${kind}" class="ranking"><thead><tr><th class="num">排名</th><th>单位</th><th class="hide-narrow">乡镇/街道</th><th class="num">得分</th><th class="num">按时完成率</th><th class="num hide-narrow">计分任务</th><th class="num hide-narrow">逾期办结</th><th class="num hide-narrow">逾期未完成</th><th class="num hide-narrow">督办级次</th><th class="num hide-narrow">退回</th><th class="num hide-narrow">免除</th></tr></thead><tbody>
${units.map(
  (u) => html`<tr data-unit="${u.unitId}"><td class="num">${u.rank}</td><td><a href="${link(c, { unit: u.unitId })}">${u.unitName}</a></td><td class="hide-narrow">${u.kind === 'department' ? '—' : u.townshipName}</td><td class="num score">${pointsText(u.score)}</td><td class="num">${percent(u.onTimeRate)} ${
    u.onTimeRate === null ? '' : html`<meter class="hide-narrow" min="0" max="1" value="${u.onTimeRate}"></meter>`
  }</td><td class="num hide-narrow">${countedOf(u)}</td><td class="num hide-narrow">${u.counts.late}</td><td class="num hide-narrow">${u.counts.notCompleted}</td><td class="num hide-narrow">${u.levels}</td><td class="num hide-narrow">${u.returns}</td><td class="num hide-narrow">${u.counts.waived}</td></tr>`,
)}
</tbody></table></div>`;
}

/** Every point a unit lost, each with the task (its page) and the event of its 经过 that cost it. */
function deductions(u: UnitScore): SafeHtml {
  const head = html`<h3 id="detail-${u.unitId}">${u.unitName} · 得分 ${pointsText(u.score)}(扣 ${pointsText(u.deductions.reduce((n, d) => n + d.points, 0))} 分)</h3>`;
  if (u.deductions.length === 0) return html`${head}<p class="muted">没有扣分。</p>`;
  return html`${head}<div class="table-wrap"><table class="stack deductions" data-unit="${u.unitId}"><thead><tr><th>职责</th><th>周期</th><th>截止</th><th>扣分事项</th><th class="num">扣分</th><th>扣分依据</th></tr></thead><tbody>
${u.deductions.map((d) => {
  const task = `/tasks/${encodeURIComponent(d.taskId)}`;
  return html`<tr data-task="${d.taskId}" data-kind="${d.kind}"><td data-label="职责"><a href="${task}">${d.dutyTitle}</a></td><td data-label="周期">${d.period}</td><td data-label="截止">${d.dueOn}</td><td data-label="扣分事项">${deductionItem(d)}</td><td data-label="扣分" class="num">−${pointsText(d.points)}</td><td data-label="扣分依据"><a href="${task}#events">${eventText(d) || '查看经过'}</a></td></tr>`;
})}
</tbody></table></div>`;
}

export function renderAssessment(principal: Principal, report: AssessmentReport, c: Choice, units: Unit[]): string {
  const kinds = RANKED_KINDS.filter((k) => report.units.some((u) => u.kind === k));
  const download = (format: string) => `/api/reports/assessment${qs({ format, year: String(c.year), unit: c.unit })}`;
  return renderPage({
    title: '考核',
    principal,
    active: 'assessment',
    body: html`<h1>${titleText(report)}</h1>
<p class="muted">截至 ${asOfText(report)} · 计分任务 ${report.tasks} 项 · 来源: ${SOURCE_NAMES[report.source]}</p>
${filterForm(c, units)}
<p class="muted" id="rules">计分规则: ${rulesText(report.rules)}。截止日期(含批准延期后的)在 ${report.year} 年内、截至统计时已到期的任务计分;待审核的任务审核后计分。${rankText(report)}。</p>
${report.unreadable.length ? html`<p class="error" id="unreadable">有 ${report.unreadable.length} 项任务无法读取记录,未计分: ${report.unreadable.join('、')}</p>` : ''}
<div class="actions"><a class="button" id="download-xlsx" href="${download('xlsx')}">下载考核通报(Excel)</a><a class="button secondary" id="download-csv" href="${download('csv')}">下载 CSV</a></div>
${c.unit ? html`<div class="crumbs"><a href="${link(c, { unit: undefined })}">全部</a> › ${report.scope.unitName}</div>` : ''}
${kinds.length ? kinds.map((kind) => rankingTable(report, kind, c)) : html`<p class="muted">范围内没有参与考核的单位。</p>`}
${c.unit ? html`<h2>扣分明细</h2>${report.units.map(deductions)}` : html`<p class="muted">点击单位查看每一项扣分所依据的任务和事件。</p>`}`,
  });
}

/** 考核: the year's ranking by score with on-time rates, and per unit every point lost with its task and event. */
export function assessmentPage(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/assessment', roles: ['admin', 'supervisor'] }, async ({ req, principal }) => {
    const q = parsePart(AssessmentQuery, req.query, 'query');
    const c: Choice = { year: q.year ?? thisYear(), unit: q.unit, source: q.source ?? 'listing' };
    const [report, tree] = await Promise.all([assessmentFor(deps.services, principal, { year: c.year, unitId: c.unit, source: c.source }), deps.services.tree()]);
    const scope = scopeOf(tree, principal);
    const units = tree.roster.units.filter((u) => isRanked(u) && coversUnit(tree, scope, u.id));
    return renderAssessment(principal, report, c, units);
  });
}
