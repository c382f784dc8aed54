import type { Client } from '@temporalio/client';
import { requireRole, scopeOf, unitsToQuery, type Scope, type Viewer } from '../auth/policy';
import { UsageError } from '../errors';
import { asOfInstant, groupRows, overdueFilter, overdueReport, type OverdueNarrowing, type OverdueReport } from '../report/overdue';
import { exportMeasure, isExported, overdueExport, type OverdueExport } from '../report/overdueExport';
import { countScope, countTasks, inScopeOf, totalOf } from '../report/unitCounts';
import { countPool } from '../tasks/countPool';
import { taskQuery } from '../tasks/query';
import { auditLog, type ServiceContext } from './context';
import { openTasksOf } from './openTasks';

/**
 * The most rows one overdue download (CSV or Excel) may carry. It is written as it is listed, in constant memory,
 * so the bound is on time: visibility lists about 2,000 rows a second, so 50,000 rows take half a minute. A
 * far-future `asOf` would otherwise make every open task a row.
 */
export const REPORT_MAX_ROWS = 50_000;

/** The most rows the report as one JSON answer may carry: it is built in memory (10,000 rows are about 5 MB). */
export const REPORT_JSON_MAX_ROWS = 10_000;

export interface OverdueOptions extends OverdueNarrowing {
  unitId?: string;
  asOf?: string;
  /** Refuse, before listing anything, a report that would have more rows than this (a COUNT query per unit). */
  maxRows?: number;
}

/** A refusal of an answer too large to build; the caller should narrow the request. */
export class TooLargeError extends UsageError {
  override name = 'TooLargeError';
}

async function refuseOversized(client: Client, units: string[] | undefined, opts: OverdueOptions, maxRows: number): Promise<void> {
  const asOf = asOfInstant(opts.asOf);
  const counts = await Promise.all(
    (units ?? [undefined]).map(async (unitId) => (await client.workflow.count(taskQuery(overdueFilter(unitId, asOf, opts)))).count),
  );
  refuseAbove(counts.reduce((a, b) => a + b, 0), maxRows);
}

function refuseAbove(total: number, maxRows: number): void {
  if (total > maxRows) {
    throw new TooLargeError(`逾期任务共 ${total} 项,超过单次报告的上限 ${maxRows} 项;请用 unit(乡镇/街道或村/部门)、duty 或 period 缩小范围后再试`);
  }
}

/**
 * The overdue report as a download written while it is listed (CSV, Excel): counts per unit first, the size check
 * before anything is listed, then one unit's rows at a time. Same rows as `overdueFor`.
 */
export async function overdueExportFor(ctx: ServiceContext, viewer: Viewer, opts: OverdueOptions): Promise<OverdueExport> {
  requireRole(viewer, ['admin', 'supervisor'], '查看逾期督办报告');
  const tree = await ctx.tree();
  const roots = unitsToQuery(tree, scopeOf(tree, viewer), opts.unitId);
  const client = await ctx.temporal();
  const asOf = asOfInstant(opts.asOf);
  const scope = !roots ? { unitId: '*', unitName: '全市' } : { unitId: roots.join(','), unitName: roots.map((u) => tree.unit(u).name).join('、') || '(无)' };
  const filter = { dutyId: opts.dutyId, period: opts.period, flags: opts.flags };
  const target = countScope(tree, filter, roots);
  const v = { client, count: countPool(client) };
  // As of now, the index of open tasks (if the dashboard has built it) counts in memory what would be a count per unit.
  const open = target && !opts.asOf ? await openTasksOf(client, await auditLog(ctx)).ifBuilt() : undefined;
  const inScope = inScopeOf(filter, roots);
  const counted = open ? countTasks(open.filter((t) => inScope(t) && isExported(t, asOf))) : undefined;
  const total = counted ? totalOf(counted) : target ? await v.count(exportMeasure(asOf)(target.scope)) : 0;
  if (opts.maxRows !== undefined) refuseAbove(total, opts.maxRows);
  return overdueExport(v, tree, { target, asOf, scope, total, counted });
}

/**
 * The overdue report, limited to what the viewer supervises. A supervisor whose units are not one subtree gets
 * one report per subtree merged into one, grouped exactly as the single report would be.
 */
export async function overdueFor(ctx: ServiceContext, viewer: Viewer, opts: OverdueOptions, scope?: Scope): Promise<OverdueReport> {
  requireRole(viewer, ['admin', 'supervisor'], '查看逾期督办报告');
  const tree = await ctx.tree();
  if (opts.unitId) tree.unit(opts.unitId);
  const client = await ctx.temporal();
  const s = scope ?? scopeOf(tree, viewer);
  const units = unitsToQuery(tree, s, opts.unitId);
  if (opts.maxRows !== undefined) await refuseOversized(client, units, opts, opts.maxRows);
  if (!units) return overdueReport(client, tree, opts);
  const reports = await Promise.all(units.map((unitId) => overdueReport(client, tree, { ...opts, unitId })));
  const [first] = reports;
  if (reports.length === 1 && first) return first;
  const rows = new Map(reports.flatMap((r) => r.groups.flatMap((g) => g.units.flatMap((u) => u.tasks))).map((t) => [t.taskId, t]));
  return {
    asOf: first?.asOf ?? new Date().toISOString(),
    scope: { unitId: units.join(','), unitName: units.map((u) => tree.unit(u).name).join('、') || '(无)' },
    query: reports.map((r) => `(${r.query})`).join(' OR '),
    total: rows.size,
    groups: groupRows([...rows.values()], tree),
  };
}
