import { requireRole, scopeOf, unitsToQuery, type Viewer } from '../auth/policy';
import { DEFAULT_ASSESSMENT } from '../catalog/assessment';
import { UsageError } from '../errors';
import type { AssessmentSource } from '../report/assessment';
import { assessmentQuery, assessmentReport, type AssessmentReport } from '../report/assessmentReport';
import { auditLog, type ServiceContext } from './context';
import { TooLargeError } from './reports';

/**
 * Reading every task's record takes a query or a history fetch per task (a few milliseconds each): the history
 * source is for checking a township or a few hundred tasks, the listing for the county.
 */
export const ASSESSMENT_HISTORY_MAX = 3000;

export interface AssessmentRequest {
  year: number;
  unitId?: string;
  source?: AssessmentSource;
}

function checkYear(year: number): number {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UsageError(`年度无效: ${year},应为 2000–2100 之间的年份`);
  return year;
}

/**
 * The 考核 of a year with the catalog's rules, limited to what the viewer supervises: units rank among all of it, and
 * `unitId` narrows what is shown (the history source reads, and ranks, only that).
 */
export async function assessmentFor(ctx: ServiceContext, viewer: Viewer, req: AssessmentRequest): Promise<AssessmentReport> {
  requireRole(viewer, ['admin', 'supervisor'], '查看考核结果');
  const year = checkYear(req.year);
  const [tree, catalog, client] = await Promise.all([ctx.tree(), ctx.catalog(), ctx.temporal()]);
  const scope = scopeOf(tree, viewer);
  const roots = unitsToQuery(tree, scope);
  const shown = req.unitId ? unitsToQuery(tree, scope, req.unitId) : undefined;
  const source = req.source ?? 'listing';
  if (source === 'history' && (shown ?? roots)?.length !== 0) {
    const { count } = await client.workflow.count(assessmentQuery(year, shown ?? roots).build());
    if (count > ASSESSMENT_HISTORY_MAX) {
      throw new TooLargeError(`按任务历史核算需逐项读取 ${count} 项任务,超过上限 ${ASSESSMENT_HISTORY_MAX} 项;请用 unit(乡镇/街道或村/部门)缩小范围,或改用任务列表(source=listing)`);
    }
  }
  return assessmentReport(client, tree, { year, roots, shown, rules: catalog.assessment ?? DEFAULT_ASSESSMENT, source, audit: async () => (await auditLog(ctx)).list() });
}
