import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../auth/principal';
import { DutyError, ValidationError } from '../../errors';
import { type EmergencyOutcome, extendTasks, liftEmergency, listEmergencies, suspendUnits } from '../../services/emergencies';
import type { Emergency } from '../../store/emergencies';
import { httpActor } from '../api/tasks';
import { toHttpError } from '../errors';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { html, qs, type SafeHtml } from './html';
import { renderPage } from './layout';
import { pageRoute, seeOther } from './route';

/**
 * 紧急情况 for administrators, reached from the 职责 page: suspend units over a window, extend matching tasks, lift.
 * Each form is asked twice: first it shows how many tasks it will touch (a dry run), then the admin confirms.
 */

const NOTICES: Record<string, string> = { suspended: '已暂停', extended: '已统一延期', lifted: '已撤销' };
const Form = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const IdParams = z.object({ id: z.string().regex(/^em-\d{8}-\d+$/, '紧急情况编号格式不对') });

type Values = Record<string, string>;

function valuesOf(body: z.output<typeof Form>): { values: Values; units: string[] } {
  const values: Values = {};
  const units: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    const list = Array.isArray(v) ? v : [v];
    if (k === 'unit') units.push(...list);
    else values[k] = list[0] ?? '';
  }
  units.push(...(values.otherUnits ?? '').split(',').map((u) => u.trim()).filter(Boolean));
  return { values, units: [...new Set(units)] };
}

function hidden(values: Values, units: string[]): SafeHtml {
  return html`${Object.entries(values)
    .filter(([k]) => k !== 'confirm' && k !== 'otherUnits')
    .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}${units.map((u) => html`<input type="hidden" name="unit" value="${u}">`)}`;
}

function confirmForm(action: string, outcome: EmergencyOutcome, values: Values, units: string[]): SafeHtml {
  return html`<section id="confirm" class="notice"><p>将涉及未办结任务 <strong>${outcome.tasks}</strong> 项,其中截止日顺延 ${outcome.moved} 项(单位:${units.join('、')})。确认执行?</p>
<form method="post" action="${action}">${hidden(values, units)}<input type="hidden" name="confirm" value="1"><button type="submit">确认执行</button> <a href="/emergencies">取消</a></form></section>`;
}

async function page(deps: HttpDeps, principal: Principal, extra: { notice?: string; error?: string; body?: SafeHtml; values?: Values } = {}): Promise<string> {
  const tree = await deps.services.tree();
  const v = extra.values ?? {};
  const townships = tree.roster.units.filter((u) => u.kind === 'township');
  const duties = (await deps.services.catalog()).duties.filter((d) => d.recurrence.kind !== 'triggered');
  const list = (await listEmergencies(deps.services)).slice().reverse();
  const row = (e: Emergency) =>
    html`<tr><td data-label="编号">${e.id}</td><td data-label="措施">${e.kind === 'suspend' ? `暂停 ${e.from} 至 ${e.to}` : `统一延期 ${e.dutyId} ${e.period} 至 ${e.dueOn}`}</td><td data-label="单位">${e.units.join('、')}</td><td data-label="任务">${e.tasks.length}</td><td data-label="原因">${e.reason}</td>
<td data-label="状态">${e.liftedAt ? '已撤销' : html`<form class="inline" method="post" action="/emergencies/${e.id}/lift"><button type="submit" class="secondary">撤销</button></form>`}</td></tr>`;
  return renderPage({
    title: '紧急情况',
    principal,
    active: 'duties',
    ...(extra.notice ? { notice: extra.notice } : {}),
    ...(extra.error ? { error: { message: extra.error } } : {}),
    body: html`<h1>紧急情况</h1><p class="muted">汛期、自然灾害等:暂停期间不发提醒、不升级督办,落在窗口内的截止日按窗口覆盖的工作日数顺延;也可统一延期。每项措施都可撤销。</p>
${extra.body ?? ''}
<section id="suspend"><h2>暂停提醒与升级</h2><form method="post" action="/emergencies/suspend" novalidate>
<fieldset><legend>镇/街道(含下属村)</legend>${townships.map((t) => html`<label class="check"><input type="checkbox" name="unit" value="${t.id}">${t.name}</label>`)}</fieldset>
<label class="field"><span>其他单位编号 <small>(逗号分隔,可选)</small></span><input type="text" name="otherUnits" value="${v.otherUnits ?? ''}"></label>
<label class="field"><span>开始日期</span><input type="date" name="from" value="${v.from ?? ''}"></label>
<label class="field"><span>结束日期(含当天)</span><input type="date" name="to" value="${v.to ?? ''}"></label>
<label class="field"><span>原因</span><input type="text" name="reason" value="${v.reason ?? ''}" placeholder="如 洞庭湖汛期防汛"></label>
<button type="submit">查看涉及的任务</button></form></section>
<section id="extend"><h2>统一延期</h2><form method="post" action="/emergencies/extend" novalidate>
<fieldset><legend>镇/街道(含下属村)</legend>${townships.map((t) => html`<label class="check"><input type="checkbox" name="unit" value="${t.id}">${t.name}</label>`)}</fieldset>
<label class="field"><span>其他单位编号 <small>(逗号分隔,可选)</small></span><input type="text" name="otherUnits"></label>
<label class="field"><span>职责</span><select name="duty">${duties.map((d) => html`<option value="${d.id}">${d.title}</option>`)}</select></label>
<label class="field"><span>周期</span><input type="text" name="period" placeholder="如 2026-07、2026-Q3" value="${v.period ?? ''}"></label>
<label class="field"><span>新的截止日期</span><input type="date" name="to" value="${v.to ?? ''}"></label>
<label class="field"><span>原因(可选)</span><input type="text" name="reason" value="${v.reason ?? ''}"></label>
<button type="submit">查看涉及的任务</button></form></section>
<h2>已有措施</h2>${list.length ? html`<div class="table-wrap"><table id="emergencies" class="stack"><thead><tr><th>编号</th><th>措施</th><th>单位</th><th>任务</th><th>原因</th><th>状态</th></tr></thead><tbody>${list.map(row)}</tbody></table></div>` : html`<p class="muted">暂无。</p>`}`,
  });
}

function errorText(err: unknown): string {
  if (err instanceof ValidationError) return err.issues.map((i) => `${i.path}: ${i.message}${i.value !== undefined ? `(${String(i.value)})` : ''}`).join(';');
  return toHttpError(err).body.error;
}

export function emergencyPages(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  pageRoute(app, { method: 'GET', url: '/emergencies', roles: ['admin'] }, async ({ req, principal }) => {
    const ok = String((req.query as Record<string, unknown>).ok ?? '');
    return page(deps, principal, NOTICES[ok] ? { notice: NOTICES[ok] } : {});
  });

  const forms = {
    suspend: (p: Principal, v: Values, units: string[], dryRun: boolean) => suspendUnits(ctx, httpActor(p), { units, from: v.from ?? '', to: v.to ?? '', reason: v.reason ?? '', dryRun }),
    extend: (p: Principal, v: Values, units: string[], dryRun: boolean) =>
      extendTasks(ctx, httpActor(p), { units, dutyId: v.duty ?? '', period: v.period ?? '', to: v.to ?? '', reason: v.reason, dryRun }),
  };
  for (const [verb, run] of Object.entries(forms)) {
    pageRoute(app, { method: 'POST', url: `/emergencies/${verb}`, roles: ['admin'] }, async ({ req, reply, principal }) => {
      const { values, units } = valuesOf(parsePart(Form, req.body, 'form'));
      const dryRun = values.confirm !== '1';
      try {
        const outcome = await run(principal, values, units, dryRun);
        if (dryRun) return page(deps, principal, { body: confirmForm(`/emergencies/${verb}`, outcome, values, units), values });
      } catch (err) {
        if (!(err instanceof DutyError)) throw err;
        reply.code(toHttpError(err).status);
        return page(deps, principal, { error: errorText(err), values });
      }
      seeOther(reply, `/emergencies${qs({ ok: verb === 'suspend' ? 'suspended' : 'extended' })}`);
      return undefined;
    });
  }

  pageRoute(app, { method: 'POST', url: '/emergencies/:id/lift', roles: ['admin'] }, async ({ req, reply, principal }) => {
    const { id } = parsePart(IdParams, req.params, 'params');
    try {
      await liftEmergency(ctx, httpActor(principal), id);
    } catch (err) {
      if (!(err instanceof DutyError)) throw err;
      reply.code(toHttpError(err).status);
      return page(deps, principal, { error: errorText(err) });
    }
    seeOther(reply, `/emergencies${qs({ ok: 'lifted' })}`);
    return undefined;
  });
}
