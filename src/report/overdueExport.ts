import type { OrgTree } from '../roster/orgTree';
import { SA } from '../shared/searchAttributes';
import { listTasksWhere, type TaskSummary } from '../tasks/query';
import { countPerUnit, emptyCounts, totalOf, unitQuery, type CountScope, type Measure, type UnitCounts, type Visibility } from './unitCounts';
import { groupCounts, OPEN_WORK, overdueAt, row, type OverdueReport, type OverdueRow, type TownshipGroup, type UnitGroup } from './overdue';

/** One unit's overdue rows, soonest deadline first, with the group and unit they belong to. */
export interface UnitRows {
  group: TownshipGroup;
  unit: UnitGroup;
  rows: OverdueRow[];
}

/**
 * The overdue report for a download, as a stream: the counts per township and unit come first (count queries), so
 * the summary can be written at once; then each unit's rows are listed when the writer reaches them, in the order
 * of the report (townships, then units, by count). One unit's rows are in memory at a time, whatever the total.
 */
export interface OverdueExport {
  /** The report with counts and no rows. */
  summary: OverdueReport;
  units(): AsyncIterable<UnitRows>;
}

/** Open work past its deadline at `asOf`, not under an emergency suspension (whose days do not count against it). */
export function exportMeasure(asOf: Date): Measure {
  return (q) => overdueAt(asOf)(q).neq(SA.flags, 'suspended');
}

/** The same test for a task already read (the index of open tasks). */
export function isExported(t: TaskSummary, asOf: Date): boolean {
  return OPEN_WORK.includes(t.status) && t.dueAt.getTime() < asOf.getTime() && !t.flags.includes('suspended');
}

export interface ExportSpec {
  /** Undefined when no unit is in scope: an empty report. */
  target?: CountScope;
  asOf: Date;
  scope: OverdueReport['scope'];
  /** The scope's overdue total, already counted (for the size check). */
  total: number;
  /** The counts per unit, when the index of open tasks gave them. */
  counted?: UnitCounts;
}

export async function overdueExport(v: Visibility, tree: OrgTree, spec: ExportSpec): Promise<OverdueExport> {
  const { target } = spec;
  const measure = exportMeasure(spec.asOf);
  const counted = spec.counted ?? (target ? await countPerUnit(v, target, measure, spec.total) : emptyCounts());
  const groups = groupCounts(counted.counts, tree, { townships: counted.townships });
  const summary: OverdueReport = { asOf: spec.asOf.toISOString(), scope: spec.scope, query: target ? measure(target.scope).build() : '', total: totalOf(counted), groups };
  async function* units(): AsyncGenerator<UnitRows> {
    if (!target) return;
    for (const group of groups) {
      for (const unit of group.units) {
        const tasks = await listTasksWhere(v.client, unitQuery(target.filter, unit.unitId, measure));
        yield { group, unit, rows: tasks.map((t) => row(t, tree, spec.asOf)) };
      }
    }
  }
  return { summary, units };
}

/** A report already listed, as an export: the same writers then serve both. */
export function exportOf(report: OverdueReport): OverdueExport {
  async function* units(): AsyncGenerator<UnitRows> {
    for (const group of report.groups) for (const unit of group.units) yield { group, unit, rows: unit.tasks };
  }
  return { summary: report, units };
}
