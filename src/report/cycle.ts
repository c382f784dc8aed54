import type { Client } from '@temporalio/client';
import { periodByLabel } from '../calendar';
import { UsageError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import type { CompletionField, Duty } from '../shared/types';
import { SA } from '../shared/searchAttributes';
import { visibilityQuery } from '../tasks/visibilityQuery';
import { listTaskFigures, type TaskFigures } from './figures';
import { DEPARTMENTS_GROUP } from './overdue';

export interface Tally {
  units: number;
  done: number;
  open: number;
  overdue: number;
  /** Completed and waiting for a supervisor's review: not yet counted as reported. */
  review: number;
  waived: number;
  /** Sums of the numeric figures over the completed tasks. */
  sums: Record<string, number>;
}

export interface CycleUnitRow {
  unitId: string;
  unitName: string;
  taskId: string;
  status: TaskFigures['status'];
  dueOn: string;
  figures: Record<string, number | string | boolean>;
}

export interface CycleTownship {
  townshipId: string;
  townshipName: string;
  tally: Tally;
  units: CycleUnitRow[];
}

export interface CycleRollup {
  dutyId: string;
  dutyTitle: string;
  period: string;
  phase?: { id: string; title: string };
  fields: { key: string; label: string; unit?: string }[];
  scope: { unitId: string; unitName: string };
  query: string;
  county: Tally;
  townships: CycleTownship[];
}

function emptyTally(fields: CompletionField[]): Tally {
  return { units: 0, done: 0, open: 0, overdue: 0, review: 0, waived: 0, sums: Object.fromEntries(fields.map((f) => [f.key, 0])) };
}

function add(t: Tally, row: CycleUnitRow, fields: CompletionField[]): void {
  t.units += 1;
  t[row.status] += 1;
  if (row.status !== 'done') return;
  for (const f of fields) t.sums[f.key] = (t.sums[f.key] ?? 0) + Number(row.figures[f.key] ?? 0);
}

/**
 * One period of one duty, village figures rolled up by township and for the whole county (or the unit given).
 * Computed here: the dev server's visibility store cannot GROUP BY custom attributes.
 */
export async function cycleRollup(client: Client, tree: OrgTree, duty: Duty, opts: { period: string; phase?: string; unitId?: string }): Promise<CycleRollup> {
  if (duty.recurrence.kind === 'triggered') throw new UsageError(`职责 ${duty.id} 由事件触发,没有统一周期,不能按周期汇总`);
  const period = periodByLabel(duty.recurrence, opts.period).label;
  const phases = duty.phases ?? [];
  // The closing phase is the one that carries the figures (a campaign's 总结).
  const phase = opts.phase ? phases.find((p) => p.id === opts.phase) : phases[phases.length - 1];
  if (opts.phase && !phase) throw new UsageError(`职责 ${duty.id} 没有阶段 ${opts.phase},可选: ${phases.map((p) => p.id).join(', ') || '(无阶段)'}`);
  const fields = (phase?.completion ?? duty.completion).fields.filter((f) => f.type === 'integer' || f.type === 'number');
  const scope = opts.unitId ? tree.unit(opts.unitId) : undefined;
  const base = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.dutyId, duty.id).eq(SA.period, period);
  const query = (scope ? base.eq(SA.unitPath, scope.id) : base).build();
  const tasks = (await listTaskFigures(client, query)).filter((t) => t.phase === phase?.id);

  const county = emptyTally(fields);
  const byTownship = new Map<string, CycleTownship>();
  for (const t of tasks) {
    const row: CycleUnitRow = {
      unitId: t.unitId,
      unitName: tree.hasUnit(t.unitId) ? tree.unit(t.unitId).name : t.unitId,
      taskId: t.taskId,
      status: t.status,
      dueOn: t.dueOn,
      figures: t.figures ?? {},
    };
    const key = t.townshipId ?? DEPARTMENTS_GROUP.id;
    let group = byTownship.get(key);
    if (!group) {
      const name = t.townshipId && tree.hasUnit(t.townshipId) ? tree.unit(t.townshipId).name : DEPARTMENTS_GROUP.name;
      byTownship.set(key, (group = { townshipId: key, townshipName: name, tally: emptyTally(fields), units: [] }));
    }
    group.units.push(row);
    add(group.tally, row, fields);
    add(county, row, fields);
  }
  // Roster order, so the report reads like the county's own tables.
  const order = new Map(tree.roster.units.map((u, i) => [u.id, i]));
  const townships = [...byTownship.values()].sort((a, b) => (order.get(a.townshipId) ?? 1e9) - (order.get(b.townshipId) ?? 1e9));
  for (const g of townships) g.units.sort((a, b) => (order.get(a.unitId) ?? 1e9) - (order.get(b.unitId) ?? 1e9));
  return {
    dutyId: duty.id,
    dutyTitle: duty.title,
    period,
    ...(phase ? { phase: { id: phase.id, title: phase.title } } : {}),
    fields: fields.map((f) => ({ key: f.key, label: f.label, ...(f.unit ? { unit: f.unit } : {}) })),
    scope: { unitId: scope?.id ?? '*', unitName: scope?.name ?? '全市' },
    query,
    county,
    townships,
  };
}
