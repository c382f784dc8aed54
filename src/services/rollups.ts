import { coversUnit, ForbiddenError, requireRole, scopeOf, unitsToQuery, type Viewer } from '../auth/policy';
import { NotFoundError } from '../errors';
import { cycleRollup, type CycleRollup } from '../report/cycle';
import { targetReport, type TargetReport } from '../report/target';
import type { ServiceContext } from './context';

/**
 * Roll-ups of reported figures: one duty's period by township and county, and the yearly targets. They only
 * read, so nothing is audited; the viewer's scope decides what may be rolled up.
 */

export interface CycleOptions {
  period: string;
  /** Phased duties: which phase to roll up (the last one by default). */
  phase?: string;
  /** Only this unit and those under it; the whole county (or the viewer's one subtree) when absent. */
  unitId?: string;
}

export async function cycleRollupFor(ctx: ServiceContext, viewer: Viewer, dutyId: string, opts: CycleOptions): Promise<CycleRollup> {
  requireRole(viewer, ['admin', 'supervisor'], '查看报送汇总');
  const tree = await ctx.tree();
  const units = unitsToQuery(tree, scopeOf(tree, viewer), opts.unitId);
  const duty = await ctx.duty(dutyId);
  if (units && units.length === 0) throw new ForbiddenError('当前账号没有可查看的单位');
  // A roll-up covers one subtree; a supervisor of several names the one wanted.
  if (units && units.length > 1) throw new ForbiddenError(`请指定要汇总的单位(可选: ${units.join(', ')})`);
  return cycleRollup(await ctx.temporal(), tree, duty, { ...opts, unitId: units?.[0] });
}

/** `collective-income` names the duty `collective-income-target`; a full duty id works too. */
export async function targetReportFor(ctx: ServiceContext, viewer: Viewer, target: string, year: number): Promise<TargetReport> {
  requireRole(viewer, ['admin', 'supervisor'], '查看年度目标达成情况');
  const tree = await ctx.tree();
  const scope = scopeOf(tree, viewer);
  // The report compares every township with the county: only someone who sees the whole county may read it.
  if (!tree.roster.units.every((u) => coversUnit(tree, scope, u.id))) throw new ForbiddenError('年度目标达成情况按全市统计,仅限可查看全市的账号');
  const { duties } = await ctx.catalog();
  const duty = duties.find((d) => d.id === target) ?? duties.find((d) => d.id === `${target}-target`);
  if (!duty) throw new NotFoundError('目标', `${target}(可选: ${duties.filter((d) => d.targets).map((d) => d.id.replace(/-target$/, '')).join(', ')})`);
  return targetReport(await ctx.temporal(), tree, duty, year);
}
