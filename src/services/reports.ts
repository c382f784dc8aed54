import { requireRole, scopeOf, unitsToQuery, type Scope, type Viewer } from '../auth/policy';
import { groupRows, overdueReport, type OverdueReport } from '../report/overdue';
import type { ServiceContext } from './context';

export interface OverdueOptions {
  unitId?: string;
  asOf?: string;
  dutyId?: string;
  period?: string;
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
