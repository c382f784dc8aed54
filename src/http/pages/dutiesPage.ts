import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Principal } from '../../auth/principal';
import { DutyError } from '../../errors';
import { onboardingText } from '../../schedules/onboarding';
import { dutyStatuses, nextDeadlines, pauseDuty, previewOccurrences, resumeDuty, triggerDuty, type DutyStatus } from '../../services/duties';
import type { Occurrence, Recurrence } from '../../shared/types';
import { httpActor } from '../api/tasks';
import { DutyIdParams, LocalDate } from '../api/schemas';
import { toHttpError } from '../errors';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { stamp, today } from './format';
import { html, qs, type SafeHtml } from './html';
import { renderPage } from './layout';
import { pageRoute, seeOther } from './route';
import { ZONE } from '../../shared/zone';

const KINDS: Record<Recurrence['kind'], string> = { monthly: '每月', quarterly: '每季度', 'half-yearly': '每半年', yearly: '每年', seasonal: '每季活动', triggered: '事件触发' };
const DONE: Record<string, string> = { pause: 'paused', resume: 'resumed', trigger: 'triggered' };
const NOTICES: Record<string, string> = { paused: '已暂停', resumed: '已恢复', triggered: '已触发当前周期,任务稍后出现在任务列表中' };

function stateCell(s: DutyStatus): SafeHtml {
  switch (s.state) {
    case 'running':
      return html`<span class="badge ok">运行中</span>${notOpened(s)}`;
    case 'paused':
      return html`<span class="badge bad">已暂停</span> <span class="muted">${(s.note ?? '').replace(/^暂停原因: /, '')}</span>${notOpened(s)}`;
    case 'unapplied':
      return html`<span class="badge warn">未应用</span>`;
    case 'event':
      return html`<span class="badge">事件触发</span>`;
  }
}

function notOpened(s: DutyStatus): SafeHtml | string {
  return s.notOpened ? html`<div class="muted not-opened">${onboardingText(s.notOpened)}</div>` : '';
}

/** A paused schedule still lists its next action times, but nothing opens until it is resumed. */
function nextOpening(s: DutyStatus): SafeHtml | string {
  const next = s.state === 'running' ? s.nextActionTimes[0] : undefined;
  return next ? html`<div class="muted">下次开启 ${stamp(next)}</div>` : '';
}

function deadlines(list: Occurrence[]): SafeHtml {
  if (!list.length) return html`<span class="muted">—</span>`;
  return html`${list.map((o) => html`<div>${o.dueOn}${o.phaseTitle ? ` ${o.phaseTitle}` : ''}${o.provisional ? html` <span class="badge warn">暂定</span>` : ''}</div>`)}`;
}

function buttons(s: DutyStatus): SafeHtml {
  const id = encodeURIComponent(s.duty.id);
  if (s.state === 'event' || s.state === 'unapplied') return html``;
  const pause = html`<form class="inline" method="post" action="/duties/${id}/pause"><input type="text" name="reason" placeholder="暂停原因" aria-label="暂停原因"><button type="submit" class="secondary">暂停</button></form>`;
  const resume = html`<form class="inline" method="post" action="/duties/${id}/resume"><button type="submit" class="secondary">恢复</button></form>`;
  const trigger = html`<form class="inline" method="post" action="/duties/${id}/trigger"><button type="submit">立即触发</button></form>`;
  return html`<div class="actions">${s.state === 'paused' ? resume : pause}${trigger}</div>`;
}

async function listPage(deps: HttpDeps, principal: Principal, notice?: string, error?: string): Promise<string> {
  const statuses = await dutyStatuses(deps.services);
  const day = today();
  const cal = deps.services.calendar();
  const rows = statuses.map(
    (s) => html`<tr id="duty-${s.duty.id}"><td class="title"><a href="/duties/${encodeURIComponent(s.duty.id)}">${s.duty.title}</a><div class="muted">${s.duty.id} · 依据 ${s.duty.source}</div></td>
<td data-label="周期">${KINDS[s.duty.recurrence.kind]}</td><td data-label="计划状态">${stateCell(s)}${nextOpening(s)}</td>
<td data-label="最近截止">${deadlines(nextDeadlines(s.duty, day, cal))}</td><td class="empty">${buttons(s)}</td></tr>`,
  );
  return renderPage({
    title: '职责',
    principal,
    active: 'duties',
    ...(notice ? { notice } : {}),
    ...(error ? { error: { message: error } } : {}),
    body: html`<h1>职责</h1><div class="table-wrap"><table id="duties" class="stack"><thead><tr><th>职责</th><th>周期</th><th>计划状态</th><th>最近截止</th><th>操作</th></tr></thead><tbody>${rows}</tbody></table></div>
<p class="muted">标"暂定"的截止日期所在年份尚无国务院节假日安排数据,按仅周末休息计算。</p>
<p><a href="/emergencies">紧急情况(汛期、自然灾害):暂停提醒与升级、统一延期 →</a></p>`,
  });
}

const ReasonForm = z.object({ reason: z.string().max(500, '原因最多 500 字').default('') });
const PreviewQuery = z.object({ from: LocalDate.optional(), to: LocalDate.optional() });

async function previewPage(deps: HttpDeps, principal: Principal, dutyId: string, from: string, to: string): Promise<string> {
  const { duty, occurrences } = await previewOccurrences(deps.services, dutyId, from, to, deps.services.calendar());
  const provisional = occurrences.filter((o) => o.provisional).length;
  return renderPage({
    title: duty.title,
    principal,
    active: 'duties',
    body: html`<h1>${duty.title}</h1><p class="muted">${duty.id} · 依据 ${duty.source} · ${KINDS[duty.recurrence.kind]}</p><p>${duty.description}</p>
<form class="filters" method="get"><label>从<input type="date" name="from" value="${from}"></label><label>到<input type="date" name="to" value="${to}"></label><button type="submit">预览</button></form>
<h2>${from} 至 ${to} 的截止日期(共 ${occurrences.length} 个${provisional ? `,其中 ${provisional} 个暂定` : ''})</h2>
<div class="table-wrap"><table id="preview"><thead><tr><th>周期</th><th>阶段</th><th class="hide-narrow">开始</th><th>截止(调整后)</th><th class="hide-narrow">原定截止</th><th class="hide-narrow">截止时刻</th><th>暂定</th></tr></thead><tbody>
${occurrences.map((o) => html`<tr class="${o.provisional ? 'provisional' : ''}"><td>${o.period}</td><td>${o.phaseTitle ?? ''}</td><td class="hide-narrow">${o.opensOn}</td><td>${o.dueOn}</td><td class="hide-narrow">${o.nominalDueOn}</td><td class="hide-narrow">${stamp(o.dueAt)}</td><td>${o.provisional ? html`<span class="badge warn">暂定</span>` : ''}</td></tr>`)}
</tbody></table></div><p class="muted">暂定:该年尚无节假日安排数据,仅按周末计算,数据公布后会变化。</p>`,
  });
}

/** 职责: every duty with its schedule state and next deadlines; pause, resume and trigger; a year's preview. */
export function dutiesPages(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/duties', roles: ['admin'] }, async ({ req, principal }) => {
    const ok = NOTICES[String((req.query as Record<string, unknown>).ok ?? '')];
    return listPage(deps, principal, ok);
  });

  pageRoute(app, { method: 'GET', url: '/duties/:dutyId', roles: ['admin'] }, async ({ req, principal }) => {
    const { dutyId } = parsePart(DutyIdParams, req.params, 'params');
    const q = parsePart(PreviewQuery, req.query, 'query');
    const from = q.from ?? today();
    const to = q.to ?? DateTime.fromISO(from, { zone: ZONE }).plus({ years: 1 }).minus({ days: 1 }).toISODate() ?? from;
    return previewPage(deps, principal, dutyId, from, to);
  });

  const actions = {
    pause: async (p: Principal, id: string, reason: string) => void (await pauseDuty(deps.services, httpActor(p), id, reason)),
    resume: (p: Principal, id: string) => resumeDuty(deps.services, httpActor(p), id),
    trigger: (p: Principal, id: string) => triggerDuty(deps.services, httpActor(p), id),
  };
  for (const [verb, run] of Object.entries(actions)) {
    pageRoute(app, { method: 'POST', url: `/duties/:dutyId/${verb}`, roles: ['admin'] }, async ({ req, reply, principal }) => {
      const { dutyId } = parsePart(DutyIdParams, req.params, 'params');
      const { reason } = parsePart(ReasonForm, req.body, 'form');
      if (verb === 'pause' && !reason.trim()) {
        reply.code(400);
        return listPage(deps, principal, undefined, '暂停原因(reason)不能为空');
      }
      try {
        await run(principal, dutyId, reason);
      } catch (err) {
        if (!(err instanceof DutyError)) throw err;
        const { status, body: e } = toHttpError(err);
        reply.code(status);
        return listPage(deps, principal, undefined, e.error);
      }
      seeOther(reply, `/duties${qs({ ok: DONE[verb] })}`);
      return undefined;
    });
  }
}
