import { DateTime } from 'luxon';
import { flagText } from '../../report/format';
import type { TaskFlag } from '../../shared/searchAttributes';
import { FLAG_NAMES, LIGHT_NAMES, type Light } from '../../shared/taskStates';
import { TASK_FLAGS } from '../../tasks/query';
import { html, type SafeHtml } from './html';
import { ZONE } from '../../shared/zone';

/** What waits on the assignee stands out, what went wrong more so. */
const FLAG_TONES: Record<TaskFlag, string> = { unacknowledged: 'warn', progress: 'ok', extensionRequested: 'warn', extended: '', returned: 'bad', suspended: 'warn' };

/** A task's 督办 flags as badges, an extension with the deadline it replaced. */
export function flagBadges(flags: readonly TaskFlag[], originalDueOn?: string): SafeHtml {
  return html`${flags.map((f) => html`<span class="badge ${FLAG_TONES[f]}" data-flag="${f}">${flagText(f, originalDueOn)}</span>`)}`;
}

/** A task's traffic light: a coloured dot and its word, so it reads without telling colours apart. */
export function lightBadge(light: Light): SafeHtml {
  return html`<span class="badge light light-${light}" data-light="${light}">${LIGHT_NAMES[light]}</span>`;
}

/** The 办理状态 filter of a list page, as `flag=` the API takes too. */
export function flagSelect(selected?: TaskFlag): SafeHtml {
  return html`<label>办理状态<select name="flag"><option value="">全部</option>${TASK_FLAGS.map((f) => html`<option value="${f}" ${f === selected ? 'selected' : ''}>${FLAG_NAMES[f]}</option>`)}</select></label>`;
}

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
