import { DateTime } from 'luxon';
import { coversUnit, requireRole, scopeOf, unitsToQuery, type Viewer } from '../auth/policy';
import { NotFoundError } from '../errors';
import { closedTasksOf, listClosed, type ClosedTask } from '../report/closedTasks';
import { groupCounts, overdueAt, row, type OverdueReport } from '../report/overdue';
import { rankUnits, type UnitRank } from '../report/ranking';
import { countScope, inScopeOf, totalOf, unitQuery, type CountScope, type Visibility } from '../report/unitCounts';
import type { OrgTree } from '../roster/orgTree';
import { countPool } from '../tasks/countPool';
import { listTasksWhere, type TaskFilter, type TaskSummary } from '../tasks/query';
import type { VisibilityQuery } from '../tasks/visibilityQuery';
import { SA, type TaskFlag } from '../shared/searchAttributes';
import { auditLog, type ServiceContext } from './context';
import { countedFigures, indexedFigures, localDate, type FigureSpec, type Figures, type TrendPoint } from './dashboardFigures';
import { lightsAt } from './lights';
import { openTasksOf } from './openTasks';
import { ZONE } from '../shared/zone';

export type { TrendPoint };

export interface Dashboard {
  /** Overdue counts by township and unit; only the unit drilled into (`unitId`) carries its rows. */
  report: OverdueReport;
  ranking: UnitRank[];
  trend: TrendPoint[];
  /** The on-time window: local dates; no `from` when a period is chosen (the whole period counts). */
  window: { from?: string; to: string };
  /** The scope's open tasks by traffic light (red is `report.total`), and the yellow threshold in working days. */
  lights: { red: number; yellow: number; green: number; yellowWithin: number };
  /** The oldest overdue task's days past its deadline, and overdue tasks escalated to level 2 or beyond. */
  overdue: { longestDays: number; escalatedTwoPlus: number };
}

export interface DashboardOptions {
  dutyId?: string;
  period?: string;
  flags?: TaskFlag[];
  /** Drill-down: this unit's overdue rows (at most `DRILL_ROWS`); every other unit is counted only. */
  unitId?: string;
  weeks?: number;
  windowDays?: number;
  now?: Date;
  /** Count queries only, never the index of open tasks: for the bench and the reconciliation test. */
  countsOnly?: boolean;
}

/** Rows one drill-down lists: the page shows this many and points to the Excel download for the rest. */
const DRILL_ROWS = 500;

/**
 * The supervisor dashboard's figures, limited to the viewer's scope, without listing the rows they count. Per unit,
 * overdue, yellow and green are sums over the index of open tasks (`OpenTaskIndex`); until the index is first built
 * they are one count query per unit each (`countPerUnit`). On time needs each closed task's completion against its
 * deadline: those come from the index of closed tasks (`ClosedTaskIndex`). Only the unit drilled into is listed.
 */
export async function dashboardFor(ctx: ServiceContext, viewer: Viewer, opts: DashboardOptions = {}): Promise<Dashboard> {
  requireRole(viewer, ['admin', 'supervisor'], '查看逾期督办');
  const tree = await ctx.tree();
  const scope = scopeOf(tree, viewer);
  if (opts.unitId && !coversUnit(tree, scope, opts.unitId)) throw new NotFoundError('单位', opts.unitId);
  const now = opts.now ?? new Date();
  const filter: TaskFilter = { dutyId: opts.dutyId, period: opts.period, flags: opts.flags };
  const roots = unitsToQuery(tree, scope, undefined);
  const target = countScope(tree, filter, roots);
  const windowFrom = opts.period ? undefined : DateTime.fromJSDate(now, { zone: ZONE }).minus({ days: opts.windowDays ?? 90 }).startOf('day').toJSDate();
  const spec: FigureSpec = { now, windowFrom, greenFrom: lightsAt(ctx, now).greenFrom, weeks: weekEnds(now, opts.weeks ?? 8) };
  const window = { from: windowFrom ? localDate(windowFrom) : undefined, to: localDate(now) };
  const head = { asOf: now.toISOString(), scope: scopeName(tree, roots) };
  const yellowWithin = ctx.settings.lightYellowDays;
  if (!target) {
    const report: OverdueReport = { ...head, query: '', total: 0, groups: [] };
    return { report, ranking: [], trend: spec.weeks.map((t) => ({ at: localDate(t), count: 0 })), window, lights: { red: 0, yellow: 0, green: 0, yellowWithin }, overdue: { longestDays: 0, escalatedTwoPlus: 0 } };
  }
  const client = await ctx.temporal();
  const v: Visibility = { client, count: countPool(client) };
  const inScope = inScopeOf(filter, roots);
  const overdue = overdueAt(now);
  const closing = closedOf(v, target.scope, spec, inScope);
  const [figures, closed, escalatedTwoPlus, rows] = await Promise.all([
    figuresFor(ctx, v, target, spec, opts.countsOnly ? undefined : { inScope, closed: closing }),
    closing,
    // Read through the escalation level's index: the few such tasks, not every overdue one.
    v.count(overdue(target.scope).gte(SA.escalationLevel, 2)),
    opts.unitId ? listTasksWhere(client, unitQuery(target.filter, opts.unitId, overdue), DRILL_ROWS) : Promise.resolve([]),
  ]);
  const { red, yellow, green } = figures;
  const report: OverdueReport = { ...head, query: overdue(target.scope).build(), total: totalOf(red), groups: groupCounts(red.counts, tree, { townships: red.townships, rows: rows.map((t) => row(t, tree, now)) }) };
  const closedInWindow = closed.filter((t) => t.dueAt.getTime() < now.getTime() && (!windowFrom || t.dueAt.getTime() >= windowFrom.getTime()));
  const ranking = rankUnits(tree, { overdue: red.counts, overdueBeforeWindow: figures.beforeWindow.counts, yellow: yellow.counts, green: green.counts, marked: figures.marked, closedInWindow, window: { from: windowFrom, to: now } });
  return { report, ranking, trend: figures.trend, window, lights: { red: report.total, yellow: totalOf(yellow), green: totalOf(green), yellowWithin }, overdue: { longestDays: figures.longestDays, escalatedTwoPlus } };
}

/** A task as an index holds it: the scope is checked against its unit path. */
type Listed = TaskSummary & { unitPath: readonly string[] };

/**
 * From the index of open tasks once it is built (the first call starts building it), else from count queries;
 * `index` absent: count queries only.
 */
async function figuresFor(ctx: ServiceContext, v: Visibility, target: CountScope, spec: FigureSpec, index?: { inScope: (t: Listed) => boolean; closed: Promise<ClosedTask[]> }): Promise<Figures> {
  const open = index ? await openTasksOf(v.client, await auditLog(ctx)).current() : undefined;
  if (!open || !index) return countedFigures(v, target, spec);
  return indexedFigures(open.filter(index.inScope), await index.closed, spec);
}

/**
 * Closed tasks of the scope due in the window or closed during the trend's weeks, from the index of closed tasks.
 * A chosen period has no window: its closed tasks are listed, few as they are for one period.
 */
async function closedOf(v: Visibility, scope: VisibilityQuery, spec: FigureSpec, inScope: (t: Listed) => boolean): Promise<ClosedTask[]> {
  if (!spec.windowFrom) return listClosed(v.client, scope.closed().lt(SA.dueAt, spec.now));
  const held = await closedTasksOf(v.client).covering(spec.windowFrom, spec.weeks[0]);
  return held.filter(inScope);
}

function scopeName(tree: OrgTree, units: string[] | undefined): OverdueReport['scope'] {
  if (!units) return { unitId: '*', unitName: '全市' };
  const [only] = units;
  if (units.length === 1 && only) return { unitId: only, unitName: tree.unit(only).name };
  return { unitId: units.join(','), unitName: units.map((u) => tree.unit(u).name).join('、') || '(无)' };
}

/** The last Sunday midnights before now, oldest first, then now itself. */
function weekEnds(now: Date, weeks: number): Date[] {
  const lastSunday = DateTime.fromJSDate(now, { zone: ZONE }).startOf('week').minus({ milliseconds: 1 });
  const points = Array.from({ length: weeks - 1 }, (_, i) => lastSunday.minus({ weeks: weeks - 2 - i }).toJSDate());
  return [...points, now];
}
