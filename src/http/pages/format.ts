import { DateTime } from 'luxon';
import type { TaskStatus } from '../../shared/searchAttributes';
import { html, type SafeHtml } from './html';
import { ZONE } from '../../shared/zone';


export const STATUS_NAMES: Record<TaskStatus, string> = { open: '待办', overdue: '已逾期', done: '已完成', waived: '已免除' };

export function today(now = new Date()): string {
  return DateTime.fromJSDate(now, { zone: ZONE }).toISODate() ?? '';
}

export function stamp(at: string | Date): string {
  const d = typeof at === 'string' ? DateTime.fromISO(at, { zone: ZONE }) : DateTime.fromJSDate(at, { zone: ZONE });
  return d.toFormat('yyyy-MM-dd HH:mm');
}

/** Whole local days from today to the deadline day: negative once it has passed. */
export function daysLeft(dueOn: string, now = new Date()): number {
  const t = DateTime.fromISO(today(now), { zone: ZONE });
  return Math.round(DateTime.fromISO(dueOn, { zone: ZONE }).diff(t, 'days').days);
}

/** "剩 3 天" / "今天截止" / "已逾期 2 天"; a task past its due time today counts as overdue even on day 0. */
export function daysLeftBadge(dueOn: string, dueAt: Date, now = new Date()): SafeHtml {
  const d = daysLeft(dueOn, now);
  if (now.getTime() > dueAt.getTime()) return html`<span class="badge bad">已逾期 ${Math.max(1, -d)} 天</span>`;
  if (d <= 0) return html`<span class="badge warn">今天截止</span>`;
  return html`<span class="badge ${d <= 3 ? 'warn' : ''}">剩 ${d} 天</span>`;
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`;
}
