import type { OrgTree } from '../roster/orgTree';
import type { TaskSummary } from '../tasks/query';
import { DEPARTMENTS_GROUP } from './overdue';

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

/** A closed task as the ranking reads it: `closedAt` stands in for a completion time older tasks did not record. */
export type ClosedSummary = TaskSummary & { closedAt: Date };

/**
 * What the ranking is made of. Counts per unit come from count queries; the tasks are the few read one by one: those
 * in review or open with an extension or a return behind them (`marked`), and the closed ones due in the window.
 */
export interface RankingInputs {
  overdue: ReadonlyMap<string, number>;
  /** Open work overdue since before the window: in `overdue`, not in `due`. */
  overdueBeforeWindow: ReadonlyMap<string, number>;
  yellow: ReadonlyMap<string, number>;
  green: ReadonlyMap<string, number>;
  marked: readonly TaskSummary[];
  closedInWindow: readonly ClosedSummary[];
  /** The window: tasks due in [from, to) fall due in it; no `from` when a period is chosen. */
  window: { from?: Date; to: Date };
}

const inWindow = (t: TaskSummary, w: RankingInputs['window']) => t.dueAt.getTime() < w.to.getTime() && (!w.from || t.dueAt.getTime() >= w.from.getTime());

/**
 * Every unit with something overdue, due in the window, yellow, in review, extended or returned: most overdue first;
 * among equals the lower on-time rate first, since that unit needs the meeting's attention. Due in the window are the
 * overdue tasks of the window (open work), those in review and those closed as done; on time, the done ones whose
 * completion was registered by their deadline.
 */
export function rankUnits(tree: OrgTree, x: RankingInputs): UnitRank[] {
  const byUnit = new Map<string, UnitRank>();
  const entry = (unitId: string): UnitRank => {
    let r = byUnit.get(unitId);
    if (!r) {
      const known = tree.hasUnit(unitId);
      r = { unitId, unitName: known ? tree.unit(unitId).name : unitId, townshipName: (known ? tree.township(unitId)?.name : undefined) ?? DEPARTMENTS_GROUP.name, overdue: 0, due: 0, onTime: 0, onTimeRate: null, review: 0, extensions: 0, returns: 0, yellow: 0, green: 0 };
      byUnit.set(unitId, r);
    }
    return r;
  };
  for (const [unitId, n] of x.overdue) {
    const r = entry(unitId);
    r.overdue = n;
    r.due += n - (x.overdueBeforeWindow.get(unitId) ?? 0);
  }
  for (const [unitId, n] of x.yellow) entry(unitId).yellow = n;
  for (const t of x.marked) {
    const r = entry(t.unit);
    if (t.status === 'review') {
      r.review += 1;
      if (inWindow(t, x.window)) r.due += 1;
    }
    r.extensions += t.extensions;
    r.returns += t.returns;
  }
  for (const t of x.closedInWindow) {
    const done = t.status === 'done';
    // A waived task does not fall due; it only brings what was granted or returned before it was waived.
    if (!done && (t.status !== 'waived' || t.extensions + t.returns === 0)) continue;
    const r = entry(t.unit);
    r.extensions += t.extensions;
    r.returns += t.returns;
    if (!done) continue;
    r.due += 1;
    if ((t.completedAt ?? t.closedAt).getTime() <= t.dueAt.getTime()) r.onTime += 1;
  }
  for (const r of byUnit.values()) {
    r.green = x.green.get(r.unitId) ?? 0;
    r.onTimeRate = r.due > 0 ? r.onTime / r.due : null;
  }
  return [...byUnit.values()].sort((a, b) => b.overdue - a.overdue || (a.onTimeRate ?? 2) - (b.onTimeRate ?? 2) || a.unitId.localeCompare(b.unitId));
}
