import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { OrgTree } from '../roster/orgTree';
import { SA, type TaskFlag, type TaskStatus } from '../shared/searchAttributes';
import type { Light } from '../shared/taskStates';
import { listTasks, taskQuery, type TaskFilter, type TaskSummary } from '../tasks/query';
import { ZONE } from '../shared/zone';
import type { Measure } from './unitCounts';

/** Departments sit beside the township tree; they are reported under one group of their own. */
export const DEPARTMENTS_GROUP = { id: 'departments', name: '市直行业部门' };

export interface OverdueRow {
  taskId: string;
  dutyId: string;
  dutyTitle: string;
  period: string;
  assigneeId: string;
  assigneeName: string;
  unitId: string;
  unitName: string;
  townshipId?: string;
  dueOn: string;
  daysOverdue: number;
  escalationLevel: number;
  /** Where the task stands in the 督办 steps; an `extended` task is overdue against its extended deadline `dueOn`. */
  flags: TaskFlag[];
  originalDueOn?: string;
  /** For the supervisor: what the assignee last reported. */
  latestProgress?: { at: string; note: string };
}

export interface UnitGroup {
  unitId: string;
  unitName: string;
  count: number;
  tasks: OverdueRow[];
}

export interface TownshipGroup {
  townshipId: string;
  townshipName: string;
  count: number;
  units: UnitGroup[];
}

export interface OverdueReport {
  asOf: string;
  scope: { unitId: string; unitName: string };
  query: string;
  total: number;
  groups: TownshipGroup[];
  /** Past their deadline but under an emergency suspension right now: not counted against their units. */
  suspended?: number;
}

export function asOfInstant(asOf?: string): Date {
  if (!asOf) return new Date();
  return DateTime.fromISO(asOf, { zone: ZONE }).endOf('day').toJSDate();
}

/** Statuses of open work; `review` (completed, waiting for the reviewer) is neither that nor closed. */
export const OPEN_WORK: TaskStatus[] = ['open', 'overdue'];

/** Every row is open work past its deadline as of the report: a red light (see `lightOf`), extended or not. */
export const ROW_LIGHT: Light = 'red';

/** What narrows an overdue report besides the unit and the instant. */
export type OverdueNarrowing = Pick<TaskFilter, 'dutyId' | 'period' | 'flags'>;

/** Overdue at an instant, as a count measure: open work past its current deadline. */
export function overdueAt(at: Date): Measure {
  return (q) => q.in(SA.status, OPEN_WORK).lt(SA.dueAt, at);
}

/** Overdue: open work past its current deadline (an extension moves `DutyDueAt`). */
export function overdueFilter(unitId: string | undefined, asOf: Date, narrowing: OverdueNarrowing = {}): TaskFilter {
  return { unit: unitId, statuses: OPEN_WORK, dueBefore: asOf, dutyId: narrowing.dutyId, period: narrowing.period, flags: narrowing.flags };
}

/** Whole days from the deadline's day to the day of `asOf` (local days), never negative. */
export function daysOverdue(task: Pick<TaskSummary, 'dueOn' | 'dueAt'>, asOf: Date): number {
  const asOfDay = DateTime.fromJSDate(asOf, { zone: ZONE }).startOf('day');
  const dueDay = DateTime.fromISO(task.dueOn || task.dueAt.toISOString(), { zone: ZONE }).startOf('day');
  return Math.max(0, Math.round(asOfDay.diff(dueDay, 'days').days));
}

export function row(task: TaskSummary, tree: OrgTree, asOf: Date): OverdueRow {
  const dueDay = DateTime.fromISO(task.dueOn || task.dueAt.toISOString(), { zone: ZONE }).startOf('day');
  return {
    taskId: task.taskId,
    dutyId: task.dutyId,
    dutyTitle: task.phaseTitle ? `${task.dutyTitle}·${task.phaseTitle}` : task.dutyTitle,
    period: task.period,
    assigneeId: task.assignee,
    assigneeName: tree.hasPerson(task.assignee) ? tree.person(task.assignee).name : task.assignee,
    unitId: task.unit,
    unitName: tree.hasUnit(task.unit) ? tree.unit(task.unit).name : task.unit,
    townshipId: task.township,
    dueOn: dueDay.toISODate() ?? task.dueOn,
    daysOverdue: daysOverdue(task, asOf),
    escalationLevel: task.escalationLevel,
    flags: task.flags,
    originalDueOn: task.originalDueOn,
    latestProgress: task.latestProgress,
  };
}

/** Roll-ups are computed here: the dev server's visibility store has no GROUP BY on custom attributes. */
export function groupRows(rows: OverdueRow[], tree: OrgTree): TownshipGroup[] {
  const counts = new Map<string, number>();
  const townships = new Map<string, string | undefined>();
  for (const r of rows) {
    counts.set(r.unitId, (counts.get(r.unitId) ?? 0) + 1);
    townships.set(r.unitId, r.townshipId);
  }
  return groupCounts(counts, tree, { townships, rows });
}

/**
 * Counts per unit (a unit's township as its tasks record it, else the roster's), grouped by township with
 * departments as one more group: most overdue first, then by id. `rows` fill the units they belong to; a unit
 * counted without rows listed keeps an empty list.
 */
export function groupCounts(counts: ReadonlyMap<string, number>, tree: OrgTree, o: { townships?: ReadonlyMap<string, string | undefined>; rows?: OverdueRow[] } = {}): TownshipGroup[] {
  const rowsOf = new Map<string, OverdueRow[]>();
  for (const r of o.rows ?? []) {
    const list = rowsOf.get(r.unitId);
    if (list) list.push(r);
    else rowsOf.set(r.unitId, [r]);
  }
  const byTownship = new Map<string, TownshipGroup>();
  for (const [unitId, count] of counts) {
    if (count <= 0) continue;
    const township = o.townships?.has(unitId) ? o.townships.get(unitId) : tree.hasUnit(unitId) ? tree.township(unitId)?.id : undefined;
    const key = township ?? DEPARTMENTS_GROUP.id;
    const name = township && tree.hasUnit(township) ? tree.unit(township).name : DEPARTMENTS_GROUP.name;
    const group = byTownship.get(key) ?? { townshipId: key, townshipName: name, count: 0, units: [] };
    byTownship.set(key, group);
    const tasks = rowsOf.get(unitId) ?? [];
    group.units.push({ unitId, unitName: tasks[0]?.unitName ?? (tree.hasUnit(unitId) ? tree.unit(unitId).name : unitId), count, tasks });
    group.count += count;
  }
  const groups = [...byTownship.values()].sort((a, b) => b.count - a.count || a.townshipId.localeCompare(b.townshipId));
  for (const g of groups) g.units.sort((a, b) => b.count - a.count || a.unitId.localeCompare(b.unitId));
  return groups;
}

export async function overdueReport(
  client: Client,
  tree: OrgTree,
  opts: OverdueNarrowing & { unitId?: string; asOf?: string },
): Promise<OverdueReport> {
  const scope = opts.unitId ? tree.unit(opts.unitId) : undefined;
  const asOf = asOfInstant(opts.asOf);
  const filter = overdueFilter(opts.unitId, asOf, opts);
  const listed = await listTasks(client, filter);
  // An emergency (紧急情况) holds a unit's clock still: its days do not count against the unit.
  const tasks = listed.filter((t) => !t.flags.includes('suspended'));
  // About 0.1 ms a row (time-zone arithmetic): built 200 at a time, so a large report does not hold up other requests.
  const rows: OverdueRow[] = [];
  for (let i = 0; i < tasks.length; i += 200) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const t of tasks.slice(i, i + 200)) rows.push(row(t, tree, asOf));
  }
  return {
    asOf: asOf.toISOString(),
    scope: { unitId: scope?.id ?? '*', unitName: scope?.name ?? '全市' },
    query: taskQuery(filter),
    total: rows.length,
    groups: groupRows(rows, tree),
    ...(listed.length > tasks.length ? { suspended: listed.length - tasks.length } : {}),
  };
}
