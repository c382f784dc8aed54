import { DateTime } from 'luxon';
import type { ClosedTask } from '../report/closedTasks';
import { daysOverdue, OPEN_WORK, overdueAt } from '../report/overdue';
import { addTask, countPerUnit, emptyCounts, type CountScope, type UnitCounts, type Visibility } from '../report/unitCounts';
import { SA, type TaskFlag } from '../shared/searchAttributes';
import { ZONE } from '../shared/zone';
import { countPool, type Counter } from '../tasks/countPool';
import { listTasksWhere, type TaskSummary } from '../tasks/query';
import { visibilityQuery, type VisibilityQuery } from '../tasks/visibilityQuery';
import type { OpenTask } from './openTasks';

/**
 * The dashboard's figures per unit, two ways: from the index of open tasks (sums in memory), or, while that index is
 * being built, from count queries. Both read the same definitions, written once here per figure.
 */

export interface TrendPoint {
  /** Local date of the instant counted (a Sunday night, the last one now). */
  at: string;
  count: number;
}

export interface Figures {
  /** Open work past its deadline. */
  red: UnitCounts;
  /** Open (not overdue, not extended), due before the green days. */
  yellow: UnitCounts;
  green: UnitCounts;
  /** Open work overdue since before the window: in `red`, not due in the window. */
  beforeWindow: UnitCounts;
  /** In review, or open work with an extension or a return behind it: their numbers are summed. */
  marked: TaskSummary[];
  trend: TrendPoint[];
  longestDays: number;
}

export interface FigureSpec {
  now: Date;
  windowFrom?: Date;
  greenFrom: Date;
  /** The trend's instants, oldest first, `now` last. */
  weeks: Date[];
}

/** Flags of tasks whose extensions and returns are counted even before their (possibly extended) deadline. */
const MARKED_FLAGS: TaskFlag[] = ['extended', 'returned'];

const isOpenWork = (t: TaskSummary) => OPEN_WORK.includes(t.status);
const isMarked = (t: TaskSummary) => t.status === 'review' || (isOpenWork(t) && t.flags.some((f) => MARKED_FLAGS.includes(f)));
const isLight = (t: TaskSummary) => t.status === 'open' && !t.flags.includes('extended');

export function localDate(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toISODate() ?? '';
}

/** Figures summed over the open tasks in the index and the closed ones of the trend's weeks (both of the scope). */
export function indexedFigures(open: OpenTask[], closed: ClosedTask[], s: FigureSpec): Figures {
  const f: Figures = { red: emptyCounts(), yellow: emptyCounts(), green: emptyCounts(), beforeWindow: emptyCounts(), marked: [], trend: [], longestDays: 0 };
  const now = s.now.getTime();
  const green = s.greenFrom.getTime();
  // Days overdue are local-calendar arithmetic (slow in bulk): only the oldest deadline's are worked out.
  let oldest: TaskSummary | undefined;
  for (const t of open) {
    const due = t.dueAt.getTime();
    if (isMarked(t)) f.marked.push(t);
    if (isOpenWork(t) && due < now) {
      addTask(f.red, t);
      if (s.windowFrom && due < s.windowFrom.getTime()) addTask(f.beforeWindow, t);
      if (!oldest || due < oldest.dueAt.getTime()) oldest = t;
    }
    if (isLight(t) && due >= now) addTask(due < green ? f.yellow : f.green, t);
  }
  f.longestDays = oldest ? daysOverdue(oldest, s.now) : 0;
  f.trend = s.weeks.map((w) => {
    const at = w.getTime();
    const stillOpen = open.filter((t) => isOpenWork(t) && t.dueAt.getTime() < at).length;
    const closedLater = closed.filter((t) => t.dueAt.getTime() < at && t.closedAt.getTime() > at).length;
    return { at: localDate(w), count: stillOpen + closedLater };
  });
  return f;
}

/** The same figures from visibility: a count per unit for each, a listing of the marked tasks, counts per week. */
export async function countedFigures(v: Visibility, target: CountScope, s: FigureSpec): Promise<Figures> {
  const base = target.scope;
  const [red, yellow, green, beforeWindow, marked, trend, longestDays] = await Promise.all([
    countPerUnit(v, target, overdueAt(s.now)),
    countPerUnit(v, target, (q) => q.eq(SA.status, 'open').gte(SA.dueAt, s.now).lt(SA.dueAt, s.greenFrom).neq(SA.flags, 'extended')),
    countPerUnit(v, target, (q) => q.eq(SA.status, 'open').gte(SA.dueAt, s.greenFrom).neq(SA.flags, 'extended')),
    s.windowFrom ? countPerUnit(v, target, overdueAt(s.windowFrom)) : Promise.resolve(emptyCounts()),
    listTasksWhere(v.client, base.anyOf(visibilityQuery().eq(SA.status, 'review'), visibilityQuery().in(SA.status, OPEN_WORK).in(SA.flags, MARKED_FLAGS))),
    trendOf(v, base, s.weeks),
    // Its counts follow one another: a pool of their own keeps them from queueing behind every unit's.
    longestOverdue(countPool(v.client, 1), overdueAt(s.now)(base), s.now),
  ]);
  return { red, yellow, green, beforeWindow, marked, trend, longestDays };
}

/**
 * Overdue at instant T: deadline before T and not closed by T (still open work, or closed after T). Visibility keeps
 * only the current deadline and status, so an earlier week misses a task extended or sent for review since then.
 */
async function trendOf(v: Visibility, base: VisibilityQuery, weeks: Date[]): Promise<TrendPoint[]> {
  return Promise.all(
    weeks.map(async (t) => {
      const stillOpen = base.lt(SA.dueAt, t).anyOf(visibilityQuery().running().in(SA.status, OPEN_WORK), visibilityQuery().closed().gt('CloseTime', t));
      return { at: localDate(t), count: await v.count(stillOpen) };
    }),
  );
}

/**
 * How many days the oldest overdue task is past its deadline. Visibility cannot sort by deadline, so the oldest
 * deadline day is searched for with counts of "overdue with a deadline on or before day D": doubling back from today,
 * then halving (about 2·log₂ days counts).
 */
async function longestOverdue(count: Counter, overdue: VisibilityQuery, now: Date): Promise<number> {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  const before = async (days: number) => (await count(overdue.lt(SA.dueAt, today.minus({ days: days - 1 }).toJSDate()))) > 0;
  if ((await count(overdue)) === 0) return 0;
  let lo = 0;
  let hi = 1;
  while (await before(hi)) [lo, hi] = [hi, hi * 2];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await before(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
