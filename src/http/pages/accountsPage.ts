import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLE_NAMES } from '../../auth/policy';
import type { Principal } from '../../auth/principal';
import { DutyError, NotFoundError, UsageError } from '../../errors';
import type { OrgTree } from '../../roster/orgTree';
import {
  accountOverview,
  changePassword,
  disableAccount,
  generatePassword,
  MIN_PASSWORD_LENGTH,
  SELF_DISABLE_REFUSED,
  type AccountOverview,
  type AccountState,
  type PasswordChange,
  type PasswordSource,
} from '../../services/accounts';
import { httpActor } from '../api/tasks';
import { Id } from '../api/schemas';
import { toHttpError } from '../errors';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { stamp } from './format';
import { html, type SafeHtml } from './html';
import { renderPage } from './layout';
import { pageRoute, seeOther } from './route';

type Action = PasswordChange | 'disable';
const ACTIONS: Action[] = ['open', 'reset', 'disable', 'enable'];
const ACTION_NAMES: Record<Action, string> = { open: '开通账号', reset: '重置密码', disable: '停用', enable: '重新启用' };

const NOTICES: Record<Action, string> = {
  open: '已开通账号。请将人员编号和密码告知本人,本人在登录页用它们登录。',
  reset: '已重置密码;原有会话已全部结束,访问令牌已全部吊销。请将新密码告知本人。',
  disable: '已停用账号;原有会话已全部结束,访问令牌已全部吊销。',
  enable: '已重新启用账号。请将新密码告知本人。',
};

/** The destructive actions and what their confirmation box says; the server refuses them unless it was ticked. */
const CONFIRMS: Partial<Record<Action, { box: string; missing: string }>> = {
  reset: { box: '我确认重置此人的密码,并立即结束其全部会话和访问令牌', missing: '请先勾选确认:重置密码会立即结束此人的全部会话和访问令牌' },
  disable: { box: '我确认停用此账号,并立即结束其全部会话和访问令牌', missing: '请先勾选确认:停用会立即结束此人的全部会话和访问令牌' },
};

const STATE_BADGES: Record<AccountState, SafeHtml> = {
  active: html`<span class="badge ok">有账号</span>`,
  disabled: html`<span class="badge bad">已停用</span>`,
  none: html`<span class="badge">无账号</span>`,
};

const PersonParams = z.object({ personId: Id('人员编号') });
const ListQuery = z.object({
  unit: z.preprocess((v) => (v === '' ? undefined : v), Id('单位编号').optional()),
  q: z.string().trim().max(50, '搜索文字最多 50 字').default(''),
});
const ActionForm = z.object({ password: z.string().default(''), password2: z.string().default(''), confirm: z.string().optional() });

/** What may be done in the account's state; someone who left the roster or lost their role can only be disabled. */
function actionsFor(a: AccountOverview, self: Principal): Action[] {
  if (a.state === 'active') return [...(a.role ? ['reset' as const] : []), ...(a.personId === self.personId ? [] : ['disable' as const])];
  if (!a.role) return [];
  return a.state === 'none' ? ['open'] : ['enable'];
}

const personUrl = (personId: string) => `/accounts/${encodeURIComponent(personId)}`;
const unitName = (tree: OrgTree, a: AccountOverview) => (a.person ? tree.unit(a.person.unit).name : '—');
const personName = (a: AccountOverview) => a.person?.name ?? '(已不在名册)';
const lastSignIn = (a: AccountOverview) => (a.lastSignInAt ? stamp(a.lastSignInAt) : '—');

function matches(tree: OrgTree, a: AccountOverview, unit: string | undefined, text: string): boolean {
  if (unit && !(a.person && tree.isInSubtree(a.person.unit, unit))) return false;
  return !text || a.personId.toLowerCase().includes(text.toLowerCase()) || Boolean(a.person?.name.includes(text));
}

function row(tree: OrgTree, a: AccountOverview, self: Principal): SafeHtml {
  const links = actionsFor(a, self).map((x) => html`<a class="button secondary" href="${personUrl(a.personId)}#${x}">${ACTION_NAMES[x]}</a>`);
  return html`<tr id="person-${a.personId}" data-state="${a.state}"><td class="title"><a href="${personUrl(a.personId)}">${personName(a)}</a><div class="muted">${a.personId}</div></td>
<td data-label="单位">${unitName(tree, a)}</td><td data-label="角色">${a.role ? ROLE_NAMES[a.role] : '—'}</td><td data-label="账号">${STATE_BADGES[a.state]}</td>
<td data-label="最近登录">${lastSignIn(a)}</td><td data-label="会话/令牌">${a.sessions} / ${a.tokens}</td><td class="empty">${links.length ? html`<div class="actions">${links}</div>` : ''}</td></tr>`;
}

async function listPage(deps: HttpDeps, principal: Principal, filter: z.output<typeof ListQuery>, error?: string): Promise<string> {
  const tree = await deps.services.tree();
  if (filter.unit) tree.unit(filter.unit);
  const all = await accountOverview(deps.services, await deps.sessions.live());
  const shown = all.filter((a) => matches(tree, a, filter.unit, filter.q));
  const count = (state: AccountState) => shown.filter((a) => a.state === state).length;
  const ttlDays = Math.round(deps.sessions.ttlMs / 86_400_000);
  return renderPage({
    title: '账号',
    principal,
    active: 'accounts',
    ...(error ? { error: { message: error } } : {}),
    body: html`<h1>账号</h1>
<form class="filters" method="get" action="/accounts">
<label>单位(含下级)<select name="unit"><option value="">全部</option>${tree.roster.units.map((u) => html`<option value="${u.id}" ${u.id === filter.unit ? 'selected' : ''}>${u.name}</option>`)}</select></label>
<label>姓名或编号<input type="text" name="q" value="${filter.q}"></label><button type="submit">筛选</button></form>
<p class="muted" id="summary">共 ${shown.length} 人:有账号 ${count('active')},已停用 ${count('disabled')},无账号 ${count('none')}。</p>
<div class="table-wrap"><table id="accounts" class="stack"><thead><tr><th>人员</th><th>单位</th><th>角色</th><th>账号</th><th>最近登录</th><th>会话/令牌</th><th>操作</th></tr></thead><tbody>
${shown.map((a) => row(tree, a, principal))}
</tbody></table></div>
<p class="muted">只有名册中有管理员、督查人员或干部(含行业部门联络员)角色的人员才能开通账号;新人员请先登记到名册。最近登录取自 ${ttlDays} 天内未退出的会话;会话/令牌为仍然有效的登录会话数和访问令牌数。</p>`,
  });
}

function passwordFields(): SafeHtml {
  return html`<label class="field"><span>新密码 <small>(至少 ${MIN_PASSWORD_LENGTH} 位;两栏都留空则由系统生成,只显示一次)</small></span><input type="password" name="password" autocomplete="new-password"></label>
<label class="field"><span>再输入一次</span><input type="password" name="password2" autocomplete="new-password"></label>`;
}

function confirmBox(action: Action): SafeHtml | string {
  const confirm = CONFIRMS[action];
  return confirm ? html`<label class="field"><input type="checkbox" name="confirm" value="yes" required> ${confirm.box}</label>` : '';
}

/** What ending access means for this person now, so the admin knows what the confirmation costs. */
function endsNow(a: AccountOverview, self: Principal): string {
  return `此人已登录的设备立即退出(现有 ${a.sessions} 个会话),${a.tokens} 个访问令牌立即吊销${a.personId === self.personId ? ';您自己也需要重新登录' : ''}`;
}

function section(a: AccountOverview, action: Action, self: Principal): SafeHtml {
  const explain: Record<Action, string> = {
    open: '设置初始密码后,本人用人员编号和这个密码登录。',
    reset: `重置后,${endsNow(a, self)}。`,
    disable: `停用后不能再登录,${endsNow(a, self)}。重新启用时须设置新密码。`,
    enable: '设置新密码后重新启用;停用前的会话和访问令牌不会恢复。',
  };
  const button = CONFIRMS[action] ? `确认${ACTION_NAMES[action]}` : ACTION_NAMES[action];
  return html`<section id="${action}"><h2>${ACTION_NAMES[action]}</h2><p>${explain[action]}</p>
<form method="post" action="${personUrl(a.personId)}/${action}">${action === 'disable' ? '' : passwordFields()}${confirmBox(action)}<div class="actions"><button type="submit">${button}</button></div></form></section>`;
}

/** Why something expected is missing: one's own account, or a person the roster no longer lets sign in. */
function missingNote(a: AccountOverview, self: Principal): SafeHtml | string {
  if (a.state === 'active' && a.personId === self.personId) return html`<p class="muted" id="self-note">${SELF_DISABLE_REFUSED}</p>`;
  if (!a.role) return html`<p class="muted">此人已不在名册,或名册中没有可登录的角色:不能开通、重置或重新启用,只能停用其账号。</p>`;
  return '';
}

interface PersonPageOptions {
  notice?: string;
  error?: string;
  /** A password the system made up, shown this once. */
  password?: string;
}

async function personPage(deps: HttpDeps, principal: Principal, a: AccountOverview, o: PersonPageOptions = {}): Promise<string> {
  const tree = await deps.services.tree();
  const disabledAt = a.account?.disabledAt;
  return renderPage({
    title: `账号 · ${personName(a)}`,
    principal,
    active: 'accounts',
    ...(o.notice ? { notice: o.notice } : {}),
    ...(o.error ? { error: { message: o.error } } : {}),
    body: html`<p class="crumbs"><a href="/accounts">← 账号列表</a></p><h1>${personName(a)}</h1>
${o.password ? html`<div class="notice" id="new-password" role="status">密码(只显示这一次):<code>${o.password}</code><br>请将人员编号 ${a.personId} 和这个密码当面或电话告知本人;离开本页后无法再查看。</div>` : ''}
<dl class="kv" id="facts"><dt>人员编号</dt><dd>${a.personId}</dd><dt>单位</dt><dd>${unitName(tree, a)}</dd><dt>角色</dt><dd>${a.role ? ROLE_NAMES[a.role] : '—'}</dd>
<dt>账号</dt><dd>${STATE_BADGES[a.state]}${disabledAt ? html` <span class="muted">停用于 ${stamp(disabledAt)}</span>` : ''}</dd>
<dt>开通时间</dt><dd>${a.account ? stamp(a.account.createdAt) : '—'}</dd><dt>最近登录</dt><dd>${lastSignIn(a)}</dd>
<dt>有效会话</dt><dd>${a.sessions} 个</dd><dt>有效令牌</dt><dd>${a.tokens} 个</dd></dl>
${actionsFor(a, principal).map((x) => section(a, x, principal))}${missingNote(a, principal)}`,
  });
}

async function overviewOf(deps: HttpDeps, personId: string): Promise<AccountOverview | undefined> {
  return (await accountOverview(deps.services, await deps.sessions.live())).find((a) => a.personId === personId);
}

/** Both fields blank: the system makes one up and the page shows it once. As on the CLI, the two must match. */
function passwordFrom(form: z.output<typeof ActionForm>): { source: PasswordSource; generated?: string } {
  if (!form.password && !form.password2) {
    const generated = generatePassword();
    return { source: async () => generated, generated };
  }
  return {
    source: async () => {
      if (form.password !== form.password2) throw new UsageError('两次输入的密码不一致');
      return form.password;
    },
  };
}

async function act(deps: HttpDeps, principal: Principal, personId: string, action: Action, form: z.output<typeof ActionForm>): Promise<string | undefined> {
  const confirm = CONFIRMS[action];
  if (confirm && form.confirm !== 'yes') throw new UsageError(confirm.missing);
  if (action === 'disable') {
    await disableAccount(deps.services, httpActor(principal), personId);
    return undefined;
  }
  const { source, generated } = passwordFrom(form);
  await changePassword(deps.services, httpActor(principal), personId, action, source);
  return generated;
}

/**
 * 账号: the roster's people with their account state, filtered by unit and text; per person open, reset, disable and
 * re-enable through the same services as `duty user`, each audited. Reset and disable ask for a ticked confirmation.
 */
export function accountsPages(app: FastifyInstance, deps: HttpDeps): void {
  pageRoute(app, { method: 'GET', url: '/accounts', roles: ['admin'] }, async ({ req, principal }) => listPage(deps, principal, parsePart(ListQuery, req.query, 'query')));

  pageRoute(app, { method: 'GET', url: '/accounts/:personId', roles: ['admin'] }, async ({ req, principal }) => {
    const { personId } = parsePart(PersonParams, req.params, 'params');
    const a = await overviewOf(deps, personId);
    if (!a) throw new NotFoundError('人员', personId);
    const ok = (req.query as Record<string, unknown>).ok;
    const notice = ACTIONS.find((x) => x === ok);
    return personPage(deps, principal, a, notice ? { notice: NOTICES[notice] } : {});
  });

  for (const action of ACTIONS) {
    pageRoute(app, { method: 'POST', url: `/accounts/:personId/${action}`, roles: ['admin'] }, async ({ req, reply, principal }) => {
      const { personId } = parsePart(PersonParams, req.params, 'params');
      const form = parsePart(ActionForm, req.body, 'form');
      let generated: string | undefined;
      try {
        generated = await act(deps, principal, personId, action, form);
      } catch (err) {
        if (!(err instanceof DutyError)) throw err;
        const { status, body } = toHttpError(err);
        reply.code(status);
        const a = await overviewOf(deps, personId);
        return a ? personPage(deps, principal, a, { error: body.error }) : listPage(deps, principal, { q: '' }, body.error);
      }
      // A made-up password must not travel in a URL, so that answer is the page itself; the others redirect.
      const a = generated ? await overviewOf(deps, personId) : undefined;
      if (a) return personPage(deps, principal, a, { notice: NOTICES[action], password: generated });
      seeOther(reply, `${personUrl(personId)}?ok=${action}`);
      return undefined;
    });
  }
}
