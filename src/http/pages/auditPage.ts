import type { FastifyInstance } from 'fastify';
import { AUDIT_ACTION_NAMES, AUDIT_ACTIONS } from '../../audit/log';
import { coversUnit, scopeOf } from '../../auth/policy';
import { auditFor, describeDetail, detailContext } from '../../services/audit';
import { auditPageFor } from '../api/reports';
import { AuditQuery } from '../api/schemas';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { stamp } from './format';
import { html } from './html';
import { renderPage } from './layout';
import { pageRoute } from './route';

const MAX_ROWS = 1000;

/** GET /audit: the page, or the same entries as JSON for a client that asks for JSON. */
export function auditPage(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/audit', roles: ['admin', 'supervisor'] }, async ({ req, reply, principal }) => {
    const q = parsePart(AuditQuery, req.query, 'query');
    const accept = req.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/html')) {
      // The same bounded pages as GET /api/audit, not the whole trail.
      reply.type('application/json; charset=utf-8').send(await auditPageFor(deps.services, principal, q, reply));
      return undefined;
    }
    const entries = await auditFor(deps.services, principal, { unitId: q.unit, from: q.from, to: q.to, action: q.action });
    const tree = await deps.services.tree();
    const scope = scopeOf(tree, principal);
    const units = tree.roster.units.filter((u) => coversUnit(tree, scope, u.id));
    const unitName = (id?: string) => (id ? (tree.hasUnit(id) ? tree.unit(id).name : id) : '全市');
    const actor = (id: string) => (tree.hasPerson(id) ? `${tree.person(id).name}(${id})` : id);
    const detail = await detailContext(deps.services);
    return renderPage({
      title: '操作记录',
      principal,
      active: 'audit',
      body: html`<h1>操作记录</h1>
<form class="filters" method="get" action="/audit">
<label>单位(含下级)<select name="unit"><option value="">全部</option>${units.map((u) => html`<option value="${u.id}" ${u.id === q.unit ? 'selected' : ''}>${u.name}</option>`)}</select></label>
<label>操作<select name="action"><option value="">全部</option>${AUDIT_ACTIONS.map((a) => html`<option value="${a}" ${a === q.action ? 'selected' : ''}>${AUDIT_ACTION_NAMES[a]}</option>`)}</select></label>
<label>从<input type="date" name="from" value="${q.from ?? ''}"></label><label>到<input type="date" name="to" value="${q.to ?? ''}"></label>
<button type="submit">筛选</button></form>
<p class="muted">共 ${entries.length} 条${entries.length > MAX_ROWS ? `,显示最新 ${MAX_ROWS} 条` : ''}。</p>
<div class="table-wrap"><table id="audit" class="stack"><thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>对象</th><th>单位</th><th>详情</th></tr></thead><tbody>
${entries.slice(0, MAX_ROWS).map((e) => html`<tr><td data-label="时间">${stamp(e.at)}</td><td data-label="操作人">${actor(e.actor)}</td><td data-label="操作">${AUDIT_ACTION_NAMES[e.action]}</td><td data-label="对象">${e.target}</td><td data-label="单位">${unitName(e.unitId)}</td><td data-label="详情">${describeDetail(e, detail)}</td></tr>`)}
</tbody></table></div>`,
    });
  });
}
