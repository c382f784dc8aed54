import type { Client } from '@temporalio/client';
import { requireRole, scopeOf, unitsToQuery, type Scope, type Viewer } from '../auth/policy';
import { UsageError } from '../errors';
import { asOfInstant, groupRows, overdueFilter, overdueReport, type OverdueNarrowing, type OverdueReport } from '../report/overdue';
import { taskQuery } from '../tasks/query';
import type { ServiceContext } from './context';

/**
 * The most rows one overdue report may carry over HTTP (JSON, CSV or Excel): a county-wide Excel of 10,000 rows is
 * about 0.5 MB and half a second of work; a far-future `asOf` would otherwise make every open task a row.
 */
export const REPORT_MAX_ROWS = 10_000;

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
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > maxRows) {
    throw new TooLargeError(`逾期任务共 ${total} 项,超过单次报告的上限 ${maxRows} 项;请用 unit(乡镇/街道或村/部门)、duty 或 period 缩小范围后再试`);
  }
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
