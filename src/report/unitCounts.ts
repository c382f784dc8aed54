import type { Client } from '@temporalio/client';
import type { OrgTree } from '../roster/orgTree';
import { SA } from '../shared/searchAttributes';
import type { Counter } from '../tasks/countPool';
import { matchesTaskFilter, taskQueryBuilder, type TaskFilter, type TaskSummary } from '../tasks/query';
import { visibilityQuery, type VisibilityQuery } from '../tasks/visibilityQuery';
import { latestRuns } from '../tasks/latestRuns';

/**
 * Counts per unit without listing the tasks. Visibility counts a query in milliseconds but cannot group by a custom
 * attribute (`GROUP BY` is only for ExecutionStatus), so a figure per unit is one count per unit: each reads only
 * that unit's tasks, through the unit's index (see `narrowedBy`). A figure that few tasks have is listed instead, one
 * listing for the whole scope, which is cheaper than a count for every unit.
 */

/** A figure counted per unit: what narrows a task query to the tasks it counts. */
export type Measure = (q: VisibilityQuery) => VisibilityQuery;

export interface CountScope {
  /** The viewer's tasks under the chosen filter, for the scope's total. */
  scope: VisibilityQuery;
  /** The filter alone (workflow type, duty, period, flags): narrowed to one unit, it gives that unit's tasks. */
  filter: VisibilityQuery;
  /** Every unit of the roster in the scope. */
  units: readonly string[];
}

/** Tasks per unit id; units with none are absent. `townships` places units the roster no longer has. */
export interface UnitCounts {
  counts: Map<string, number>;
  townships: Map<string, string | undefined>;
}

export interface Visibility {
  count: Counter;
  client: Client;
}

/**
 * What to count for a viewer whose scope is `roots` (undefined: the whole county): the scope's query, the filter on
 * its own, and the roster's units under the roots. Undefined when no unit is in scope: nothing to ask.
 */
export function countScope(tree: OrgTree, filter: TaskFilter, roots: string[] | undefined): CountScope | undefined {
  const only = taskQueryBuilder(filter);
  if (!roots) return { scope: only, filter: only, units: tree.roster.units.map((u) => u.id) };
  if (!roots.length) return undefined;
  const units = [...new Set(roots.flatMap((r) => tree.subtree(r).map((u) => u.id)))];
  return { scope: visibilityQuery().anyOf(...roots.map((unit) => taskQueryBuilder({ ...filter, unit }))), filter: only, units };
}

/** The same scope as `countScope`, for tasks already read (the indexes): the filter, and under one of the roots. */
export function inScopeOf(filter: TaskFilter, roots: string[] | undefined): (t: TaskSummary & { unitPath: readonly string[] }) => boolean {
  return (t) => matchesTaskFilter(t, filter) && (!roots || roots.some((r) => t.unitPath.includes(r)));
}

/** Tasks already read, counted per unit. */
export function countTasks(tasks: Iterable<TaskSummary>): UnitCounts {
  const out = emptyCounts();
  for (const t of tasks) addTask(out, t);
  return out;
}

export function addTask(c: UnitCounts, t: TaskSummary): void {
  c.counts.set(t.unit, (c.counts.get(t.unit) ?? 0) + 1);
  c.townships.set(t.unit, t.township);
}

export function emptyCounts(): UnitCounts {
  return { counts: new Map(), townships: new Map() };
}

/** The query for one unit's own tasks under a measure. */
export function unitQuery(filter: VisibilityQuery, unitId: string, measure: Measure): VisibilityQuery {
  return visibilityQuery().eq(SA.unit, unitId).narrowedBy(measure(filter));
}

/**
 * One measure per unit of the scope. The scope's total comes first (one count, unless the caller has it); at most
 * one task per unit is listed (one listing); more are counted unit by unit. Tasks of units the roster no longer has are found by the difference
 * from the total and listed.
 */
export async function countPerUnit(v: Visibility, target: CountScope, measure: Measure, knownTotal?: number): Promise<UnitCounts> {
  const everything = measure(target.scope);
  const total = knownTotal ?? (await v.count(everything));
  if (total === 0) return emptyCounts();
  if (total <= target.units.length) return tally(v.client, everything);
  const counted = await Promise.all(target.units.map(async (u) => [u, await v.count(unitQuery(target.filter, u, measure))] as const));
  const out = emptyCounts();
  for (const [unit, n] of counted) if (n > 0) out.counts.set(unit, n);
  const found = counted.reduce((sum, [, n]) => sum + n, 0);
  if (found < total && target.units.length > 0) {
    const strays = await tally(v.client, everything.notIn(SA.unit, target.units));
    for (const [unit, n] of strays.counts) out.counts.set(unit, (out.counts.get(unit) ?? 0) + n);
    for (const [unit, t] of strays.townships) out.townships.set(unit, t);
  }
  return out;
}

/** Lists the query's tasks (search attributes only are read) and counts them per unit. */
async function tally(client: Client, query: VisibilityQuery): Promise<UnitCounts> {
  const out = emptyCounts();
  for await (const info of latestRuns(client, { query: query.build(), pageSize: 1000 })) {
    const unit = info.typedSearchAttributes.get(SA.unit) ?? '';
    out.counts.set(unit, (out.counts.get(unit) ?? 0) + 1);
    out.townships.set(unit, info.typedSearchAttributes.get(SA.township));
  }
  return out;
}

/** The sum over every unit. */
export function totalOf(c: UnitCounts): number {
  let n = 0;
  for (const v of c.counts.values()) n += v;
  return n;
}
