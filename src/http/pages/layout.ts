import type { Principal } from '../../auth/principal';
import { ROLE_NAMES, type AccountRole } from '../../auth/policy';
import { CSS_URL } from './assets';
import { html, type SafeHtml } from './html';

export type Section = 'my' | 'overdue' | 'assessment' | 'duties' | 'audit' | 'accounts';

const NAV: { id: Section; href: string; label: string; roles: AccountRole[] }[] = [
  { id: 'my', href: '/my', label: '我的任务', roles: ['cadre', 'supervisor', 'admin'] },
  { id: 'overdue', href: '/overdue', label: '逾期督办', roles: ['supervisor', 'admin'] },
  { id: 'assessment', href: '/assessment', label: '考核', roles: ['supervisor', 'admin'] },
  { id: 'duties', href: '/duties', label: '职责', roles: ['admin'] },
  { id: 'audit', href: '/audit', label: '操作记录', roles: ['supervisor', 'admin'] },
  { id: 'accounts', href: '/accounts', label: '账号', roles: ['admin'] },
];

/** Where each role lands after signing in. */
export function homeOf(role: AccountRole): string {
  return role === 'cadre' ? '/my' : role === 'supervisor' ? '/overdue' : '/duties';
}

export interface PageOptions {
  title: string;
  principal?: Principal;
  active?: Section;
  notice?: string;
  error?: { message: string; issues?: string[] };
  body: SafeHtml;
}

export function renderPage(o: PageOptions): string {
  const p = o.principal;
  const nav = p
    ? html`<nav class="main">${NAV.filter((n) => n.roles.includes(p.role)).map((n) => html`<a href="${n.href}" class="${n.id === o.active ? 'on' : ''}">${n.label}</a>`)}</nav>
        <span class="who">${p.name}(${ROLE_NAMES[p.role]})<form method="post" action="/logout"><button type="submit">退出</button></form></span>`
    : '';
  const error = o.error
    ? html`<div class="error" role="alert">${o.error.message}${o.error.issues?.length ? html`<ul>${o.error.issues.map((i) => html`<li>${i}</li>`)}</ul>` : ''}</div>`
    : '';
  return html`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · 乡村振兴职责督办</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${CSS_URL}"></head>
<body><header class="top"><a class="brand" href="/">职责督办</a>${nav}</header>
<main>${o.notice ? html`<div class="notice" role="status">${o.notice}</div>` : ''}${error}${o.body}</main></body></html>`.value;
}

/** The page for anything refused or not found: the Chinese message, each problem on its own line, a way home. */
export function errorPage(message: string, principal?: Principal, issues?: string[]): string {
  return renderPage({ title: '出错了', principal, error: { message, ...(issues?.length ? { issues } : {}) }, body: html`<p><a href="/">返回首页</a></p>` });
}
