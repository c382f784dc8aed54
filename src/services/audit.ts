import type { AuditAction, AuditEntry } from '../audit/log';
import { coversUnit, ForbiddenError, requireRole, scopeOf, type Viewer } from '../auth/policy';
import { NotFoundError } from '../errors';
import type { EpisodeRef } from '../shared/household';
import type { CatalogVersion, CompletionField, Duty } from '../shared/types';
import { auditLog, type ServiceContext } from './context';

export interface AuditQuery {
  unitId?: string;
  from?: string;
  to?: string;
  action?: AuditAction;
  /** One task, duty, person … as the entries name it. */
  target?: string;
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
  return (await auditLog(ctx)).list({ from: q.from, to: q.to, action: q.action, target: q.target, ...(unit ? { unit } : {}) });
}

/**
 * One page of the audit trail, newest first, for the API: at most `limit` entries after skipping `offset`, and how many
 * there are in all, so a client can tell a page from the whole.
 */
export async function auditEntries(ctx: ServiceContext, viewer: Viewer, q: AuditQuery, page: { limit: number; offset: number }): Promise<{ entries: AuditEntry[]; total: number }> {
  const all = await auditFor(ctx, viewer, q);
  return { entries: all.slice(page.offset, page.offset + page.limit), total: all.length };
}

/** What the audit page and `duty audit` know beyond the entry: the catalog for figure labels, and people's names. */
export interface DetailContext {
  duties?: readonly Duty[];
  personName?: (personId: string) => string;
}

/** The catalog's figure labels and the roster's names, for `describeDetail`. */
export async function detailContext(ctx: ServiceContext): Promise<DetailContext> {
  const [catalog, tree] = await Promise.all([ctx.catalog(), ctx.tree()]);
  return { duties: catalog.duties, personName: (id) => (tree.hasPerson(id) ? tree.person(id).name : id) };
}

/** A completion's figures as the duty names them, e.g. `导入数据条数: 1200 条`; `separator` goes between label and value. */
export function describeFigures(values: Record<string, unknown>, fields: readonly CompletionField[], separator = ': '): string[] {
  return Object.entries(values).map(([key, value]) => {
    const field = fields.find((f) => f.key === key);
    const shown = typeof value === 'boolean' ? (value ? '是' : '否') : String(value);
    return `${field?.label ?? key}${separator}${shown}${field?.unit ? ` ${field.unit}` : ''}`;
  });
}

/** Every field a duty's completions may carry (the duty's own and its phases'), found from a task id `task:<dutyId>:…`. */
function figureFields(duties: readonly Duty[], taskId: string): CompletionField[] {
  const duty = duties.find((d) => d.id === taskId.split(':')[1]);
  return duty ? [duty.completion, ...(duty.phases ?? []).map((p) => p.completion)].flatMap((spec) => spec?.fields ?? []) : [];
}

const EPISODE_STATUS: Record<EpisodeRef['status'], string> = { running: '进行中', finished: '已结束', cancelled: '已取消', expired: '已到期', cleared: '已消除', withdrawn: '已撤销' };

type Part = (value: unknown, e: AuditEntry, ctx: Required<DetailContext>) => string;
const count = (words: string): Part => (v) => `${words} ${String(v)}`;

/** One phrase per detail key, in the order the services write them; a key not listed here is shown as it is. */
const PARTS: Record<string, Part> = {
  by: (v, e, ctx) => (v === e.actor ? '' : `办理人 ${ctx.personName(String(v))}`),
  fields: (v, e, ctx) => {
    const figures = describeFigures(v as Record<string, unknown>, figureFields(ctx.duties, e.target), ' ');
    return figures.length ? `填报 ${figures.join(',')}` : '';
  },
  withNote: (v) => (v ? '附情况说明' : ''),
  reason: (v) => `原因: ${String(v)}`,
  from: count('从'),
  to: count('到'),
  on: count('日期'),
  personId: (v, _e, ctx) => `人员 ${ctx.personName(String(v))}`,
  label: count('用途:'),
  created: (v) => (typeof v === 'boolean' ? (v ? '新开通账号' : '重置密码') : `新增 ${String(v)}`),
  create: count('新增'),
  update: count('修改'),
  delete: count('删除'),
  updated: count('更新'),
  unchanged: count('未变'),
  rows: count('共计行数'),
  withClearance: count('含风险消除'),
  failed: (v) => (v ? '未完成导入' : ''),
  episode: count('计划'),
  status: (v) => `状态 ${EPISODE_STATUS[v as EpisodeRef['status']] ?? String(v)}`,
  catalogVersions: (v) => (v as CatalogVersion[]).map((c) => `${c.effectiveFrom ? `自 ${c.effectiveFrom} 起` : '基础条款'} 指纹 ${c.fingerprint}`).join(','),
  tasksClosed: count('免除已移除职责的未办结任务'),
  tokensRevoked: count('吊销令牌'),
  attachments: (v) => (Number(v) > 0 ? `附佐证材料 ${String(v)} 个` : ''),
  review: (v) => (v ? '待审核' : ''),
  accepted: (v) => (v ? '审核通过' : '退回'),
  approved: (v) => (v ? '批准' : '不批准'),
  requested: count('申请延至'),
  dueOn: count('截止日'),
  roster: (v) => (v ? '因名册变更' : ''),
  tasksMoved: (v) => (Number(v) > 0 ? `名册变更转办任务 ${String(v)} 项` : ''),
  opened: (v) => (Array.isArray(v) && v.length ? `立即开启本期 ${v.join(',')}` : ''),
  moved: (v) => (Array.isArray(v) ? (v.length ? `截止日改变 ${v.join(',')}` : '') : `截止日顺延 ${String(v)} 项`),
  confirmed: count('截止日不变'),
  units: (v) => `单位 ${Array.isArray(v) ? v.join(',') : String(v)}`,
  tasks: count('涉及任务'),
  workingDays: count('覆盖工作日'),
};

/** An entry's detail as a sentence, e.g. `填报 导入数据条数 1200 条;附情况说明`, for the audit page and `duty audit` alike. */
export function describeDetail(e: AuditEntry, ctx: DetailContext = {}): string {
  const full: Required<DetailContext> = { duties: ctx.duties ?? [], personName: ctx.personName ?? ((id) => id) };
  return Object.entries(e.detail ?? {})
    .map(([k, v]) => (PARTS[k] ?? ((x: unknown) => `${k} ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`))(v, e, full))
    .filter(Boolean)
    .join(';');
}
