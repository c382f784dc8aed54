import type { AuditAction, AuditEntry } from '../audit/log';
import { coversUnit, ForbiddenError, requireRole, scopeOf, type Viewer } from '../auth/policy';
import { NotFoundError } from '../errors';
import { auditLog, type ServiceContext } from './context';

export interface AuditQuery {
  unitId?: string;
  from?: string;
  to?: string;
  action?: AuditAction;
}

/**
 * The audit trail as the viewer may read it: an administrator everything, a supervisor the changes to units
 * in their subtree (county-wide changes such as pausing a duty carry no unit and stay with administrators).
 */
export async function auditFor(ctx: ServiceContext, viewer: Viewer, q: AuditQuery): Promise<AuditEntry[]> {
  requireRole(viewer, ['admin', 'supervisor'], '查看操作记录');
  const tree = await ctx.tree();
  const scope = scopeOf(tree, viewer);
  const root = q.unitId;
  if (root) {
    tree.unit(root);
    if (!coversUnit(tree, scope, root)) throw new NotFoundError('单位', root);
  }
  const inScope = (u: string) => tree.hasUnit(u) && coversUnit(tree, scope, u) && (!root || tree.isInSubtree(u, root));
  const unit = root || !scope.all ? inScope : undefined;
  if (!scope.all && scope.roots.length === 0) throw new ForbiddenError('当前账号没有可查看的单位');
  return auditLog(ctx).list({ from: q.from, to: q.to, action: q.action, ...(unit ? { unit } : {}) });
}

/** An entry's detail as `key=value, …`, for the CLI table and the audit page alike. */
export function describeDetail(e: AuditEntry): string {
  return e.detail ? Object.entries(e.detail).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') : '';
}
