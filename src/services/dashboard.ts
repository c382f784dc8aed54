import { DateTime } from 'luxon';
import { requireRole, scopeOf, unitsToQuery, type Viewer } from '../auth/policy';
import { DEPARTMENTS_GROUP, groupRows, OPEN_WORK, row, type OverdueReport } from '../report/overdue';
import type { OrgTree } from '../roster/orgTree';
import { summarize, taskQueryBuilder, type TaskFilter, type TaskSummary } from '../tasks/query';
import { visibilityQuery, type VisibilityQuery } from '../tasks/visibilityQuery';
import { SA, type TaskFlag } from '../shared/searchAttributes';
import type { ServiceContext } from './context';
import { lightsAt, type Lights } from './lights';
import { ZONE } from '../shared/zone';


export interface UnitRank {
  unitId: string;
  unitName: string;
  townshipName: string;
  overdue: number;
  /** Tasks whose deadline fell in the window, waived ones left out. */
  due: number;
  onTime: number;
  /** Null when nothing fell due: no rate rather than a misleading 0 % or 100 %. */
  onTimeRate: number | null;
  /** Completed and waiting for a supervisor's review (待审核), whatever their deadline. */
  review: number;
  /** Extensions granted and completions sent back, over the tasks counted above and those still open. */
  extensions: number;
  returns: number;
  /** Open tasks by traffic light (红灯 is `overdue`): due within N working days, and later; extended ones in neither. */
  yellow: number;
  green: number;
}

export interface TrendPoint {
  /** Local date of the instant counted (a Sunday night, the last one now). */
  at: string;
  count: number;
}

export interface Dashboard {
  report: OverdueReport;
  ranking: UnitRank[];
  trend: TrendPoint[];
  /** The on-time window: local dates; no `from` when a period is chosen (the whole period counts). */
  window: { from?: string; to: string };
  /** The scope's open tasks by traffic light (red is `report.total`), and the yellow threshold in working days. */
  lights: { red: number; yellow: number; green: number; yellowWithin: number };
}

export interface DashboardOptions {
  dutyId?: string;
  period?: string;
  flags?: TaskFlag[];
  weeks?: number;
  windowDays?: number;
  now?: Date;
}

interface Listed {
  task: TaskSummary;
  closedAt?: Date;
}

const isOpenWork = (t: TaskSummary) => OPEN_WORK.includes(t.status);
const isDueBy = (t: TaskSummary, at: Date) => t.dueAt.getTime() < at.getTime();

/** Per-unit green counts in flight at once: enough to hide the round trips, few enough to leave the server room. */
const GREEN_COUNTS_AT_ONCE = 8;

/** Flags of tasks whose extensions and returns are counted even before their (possibly extended) deadline. */
const MARKED_FLAGS: TaskFlag[] = ['extended', 'returned'];

/**
 * The supervisor dashboard's figures, limited to the viewer's scope. Listing rows is what costs (the dev server's
 * visibility store returns about 1,500 rows a second), so one listing serves both the overdue groups and the
 * ranking, and each week of the trend is a COUNT query, which costs milliseconds.
 */
export async function dashboardFor(ctx: ServiceContext, viewer: Viewer, opts: DashboardOptions = {}): Promise<Dashboard> {
  requireRole(viewer, ['admin', 'supervisor'], '查看逾期督办');
  const tree = await ctx.tree();
  const scope = scopeOf(tree, viewer);
  const now = opts.now ?? new Date();
  const filter: TaskFilter = { dutyId: opts.dutyId, period: opts.period, flags: opts.flags };
  const units = unitsToQuery(tree, scope, undefined);
  const base = scopeQuery(filter, units);
  const windowFrom = opts.period ? undefined : DateTime.fromJSDate(now, { zone: ZONE }).minus({ days: opts.windowDays ?? 90 }).startOf('day').toJSDate();
  const weeks = weekEnds(now, opts.weeks ?? 8);
  const lights = lightsAt(ctx, now);
  const [listed, trend, green] = await Promise.all([
    base ? listDue(ctx, base, now, lights.greenFrom, windowFrom) : Promise.resolve([]),
    base ? trendOf(ctx, base, weeks) : Promise.resolve(weeks.map((t) => ({ at: localDate(t), count: 0 }))),
    base ? greenCount(ctx, greenQuery(base, lights)) : Promise.resolve(0),
  ]);
  const rows = listed.filter((l) => isOpenWork(l.task) && isDueBy(l.task, now)).map((l) => row(l.task, tree, now));
  const scopeUnits = units ?? [];
  const report: OverdueReport = {
    asOf: now.toISOString(),
    scope: scopeUnits.length === 1 ? { unitId: scopeUnits[0] ?? '', unitName: tree.unit(scopeUnits[0] ?? '').name } : units ? { unitId: units.join(','), unitName: units.map((u) => tree.unit(u).name).join('、') || '(无)' } : { unitId: '*', unitName: '全市' },
    query: base?.in(SA.status, OPEN_WORK).lt(SA.dueAt, now).build() ?? '',
    total: rows.length,
    groups: groupRows(rows, tree),
  };
  const inWindow = listed.filter((l) => isDueBy(l.task, now) && (!windowFrom || l.task.dueAt.getTime() >= windowFrom.getTime()));
  const ranking = rank(tree, report, inWindow, listed.map((l) => l.task), lights);
  if (base) await countGreenByUnit(ctx, greenQuery(base, lights), ranking);
  const yellow = ranking.reduce((n, r) => n + r.yellow, 0);
  return { report, ranking, trend, window: { from: windowFrom ? localDate(windowFrom) : undefined, to: localDate(now) }, lights: { red: report.total, yellow, green, yellowWithin: ctx.settings.lightYellowDays } };
}

/** The viewer's tasks: the whole county, or any of the units in scope; none in scope leaves nothing to ask. */
function scopeQuery(filter: TaskFilter, units: string[] | undefined): VisibilityQuery | undefined {
  if (units === undefined) return taskQueryBuilder(filter);
  return units.length ? visibilityQuery().anyOf(...units.map((unit) => taskQueryBuilder({ ...filter, unit }))) : undefined;
}

function localDate(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toISODate() ?? '';
}

/** The last Sunday midnights before now, oldest first, then now itself. */
function weekEnds(now: Date, weeks: number): Date[] {
  const lastSunday = DateTime.fromJSDate(now, { zone: ZONE }).startOf('week').minus({ milliseconds: 1 });
  const points = Array.from({ length: weeks - 1 }, (_, i) => lastSunday.minus({ weeks: weeks - 2 - i }).toJSDate());
  return [...points, now];
}

/**
 * Overdue at instant T: deadline before T and not closed by T (still open work, or closed after T). Visibility keeps
 * only the current deadline and status, so an earlier week misses a task extended or sent for review since then.
 */
async function trendOf(ctx: ServiceContext, base: VisibilityQuery, weeks: Date[]): Promise<TrendPoint[]> {
  const client = await ctx.temporal();
  return Promise.all(
    weeks.map(async (t) => {
      const stillOpen = base.lt(SA.dueAt, t).anyOf(visibilityQuery().running().in(SA.status, OPEN_WORK), visibilityQuery().closed().gt('CloseTime', t));
      const { count } = await client.workflow.count(stillOpen.build());
      return { at: localDate(t), count };
    }),
  );
}

/** Open, not extended, due on a green day: counted, never listed, since these are most of the open tasks. */
function greenQuery(base: VisibilityQuery, lights: Lights): VisibilityQuery {
  return base.eq(SA.status, 'open').gte(SA.dueAt, lights.greenFrom).neq(SA.flags, 'extended');
}

async function greenCount(ctx: ServiceContext, query: VisibilityQuery): Promise<number> {
  return (await (await ctx.temporal()).workflow.count(query.build())).count;
}

/** Units listed are few next to the tasks: a COUNT each (milliseconds), a few at a time, not a listing of every task. */
async function countGreenByUnit(ctx: ServiceContext, green: VisibilityQuery, ranking: UnitRank[]): Promise<void> {
  const queue = [...ranking];
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) r.green = await greenCount(ctx, green.eq(SA.unit, r.unitId));
  };
  await Promise.all(Array.from({ length: Math.min(GREEN_COUNTS_AT_ONCE, queue.length) }, worker));
}

/**
 * Everything overdue now (whatever its age), everything that fell due in the window, the open tasks due before the
 * green days (the yellow ones, few), and, whatever their deadline, the tasks waiting for review or open with an
 * extension or a return behind them: one listing. Without those last an extended task would drop out of the counts
 * until its new deadline.
 */
async function listDue(ctx: ServiceContext, base: VisibilityQuery, now: Date, greenFrom: Date, windowFrom?: Date): Promise<Listed[]> {
  const client = await ctx.temporal();
  const due = visibilityQuery().lt(SA.dueAt, now);
  const dueNowOrInWindow = windowFrom ? due.anyOf(visibilityQuery().in(SA.status, OPEN_WORK), visibilityQuery().gte(SA.dueAt, windowFrom)) : due;
  const beforeGreen = visibilityQuery().in(SA.status, OPEN_WORK).lt(SA.dueAt, greenFrom);
  const query = base.anyOf(dueNowOrInWindow, beforeGreen, visibilityQuery().eq(SA.status, 'review'), visibilityQuery().in(SA.status, OPEN_WORK).in(SA.flags, MARKED_FLAGS));
  const out: Listed[] = [];
  for await (const info of client.workflow.list({ query: query.build(), pageSize: 1000 })) {
    out.push({ task: summarize(info), closedAt: info.closeTime });
  }
  return out;
}

/** Most overdue first; among equals the lower on-time rate first, since that unit needs the meeting's attention. */
function rank(tree: OrgTree, report: OverdueReport, due: Listed[], listed: TaskSummary[], lights: Lights): UnitRank[] {
  const byUnit = new Map<string, UnitRank>();
  const entry = (unitId: string): UnitRank => {
    let r = byUnit.get(unitId);
    if (!r) {
      const township = tree.hasUnit(unitId) ? tree.township(unitId) : undefined;
      const unitName = tree.hasUnit(unitId) ? tree.unit(unitId).name : unitId;
      r = { unitId, unitName, townshipName: township?.name ?? DEPARTMENTS_GROUP.name, overdue: 0, due: 0, onTime: 0, onTimeRate: null, review: 0, extensions: 0, returns: 0, yellow: 0, green: 0 };
      byUnit.set(unitId, r);
    }
    return r;
  };
  for (const g of report.groups) for (const u of g.units) entry(u.unitId).overdue = u.count;
  for (const { task, closedAt } of due) {
    if (task.status === 'waived') continue;
    const r = entry(task.unit);
    r.due += 1;
    const finished = task.completedAt ?? closedAt;
    if (task.status === 'done' && finished && finished.getTime() <= task.dueAt.getTime()) r.onTime += 1;
  }
  for (const task of listed) if (lights.of(task) === 'yellow') entry(task.unit).yellow += 1;
  for (const task of listed) {
    if (task.status !== 'review' && task.extensions === 0 && task.returns === 0) continue;
    const r = entry(task.unit);
    if (task.status === 'review') r.review += 1;
    r.extensions += task.extensions;
    r.returns += task.returns;
  }
  for (const r of byUnit.values()) r.onTimeRate = r.due > 0 ? r.onTime / r.due : null;
  return [...byUnit.values()].sort((a, b) => b.overdue - a.overdue || (a.onTimeRate ?? 2) - (b.onTimeRate ?? 2) || a.unitId.localeCompare(b.unitId));
}
