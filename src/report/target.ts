import type { Client } from '@temporalio/client';
import { periodsStartingBetween } from '../calendar';
import { UsageError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import type { Duty, Target } from '../shared/types';
import { SA } from '../shared/searchAttributes';
import { visibilityQuery } from '../tasks/visibilityQuery';
import { listTaskFigures } from './figures';
import { DEPARTMENTS_GROUP } from './overdue';

export interface TargetVillage {
  unitId: string;
  unitName: string;
  townshipId: string;
  /** The latest figure reported this year, and the period it was reported for. */
  value?: number;
  period?: string;
  reached: boolean;
}

export interface TargetShare {
  total: number;
  reached: number;
  /** reached / total, 0 when there are no such villages. */
  share: number;
  met: boolean;
}

export interface TargetResult {
  tag: string;
  label: string;
  field: string;
  atLeast: number;
  goal: number;
  county: TargetShare;
  townships: { townshipId: string; townshipName: string; share: TargetShare }[];
  villages: TargetVillage[];
}

export interface TargetReport {
  dutyId: string;
  dutyTitle: string;
  year: number;
  /** The latest period of the year anyone reported for; villages that have not reported since count with their last figure. */
  checkpoint?: string;
  query: string;
  targets: TargetResult[];
}

function shareOf(villages: TargetVillage[], goal: number): TargetShare {
  const reached = villages.filter((v) => v.reached).length;
  const share = villages.length ? reached / villages.length : 0;
  // Rounded to 0.1% before comparing, as the county's own tables are.
  return { total: villages.length, reached, share, met: villages.length > 0 && Math.round(share * 1000) >= Math.round(goal * 1000) };
}

/**
 * 一(六): the share of key (model) villages whose year-to-date operating income reached the target, by township
 * and for the county, against the catalog's goal. A village counts with its latest report of the year; one that has
 * not reported counts as not reached. Income is year-to-date, so an earlier figure above the line stays above it.
 */
export async function targetReport(client: Client, tree: OrgTree, duty: Duty, year: number): Promise<TargetReport> {
  const targets: Target[] = duty.targets ?? [];
  if (targets.length === 0) throw new UsageError(`职责 ${duty.id} 没有配置 targets(年度目标)`);
  if (duty.recurrence.kind === 'triggered') throw new UsageError(`职责 ${duty.id} 由事件触发,没有年度周期`);
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UsageError(`年份无效: ${year}`);
  const periods = periodsStartingBetween(duty.recurrence, `${year}-01-01`, `${year}-12-31`).map((p) => p.label);
  const query = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).eq(SA.dutyId, duty.id).in(SA.period, periods).build();
  const tasks = (await listTaskFigures(client, query)).filter((t) => t.status === 'done');
  const checkpoint = tasks.map((t) => t.period).sort().at(-1);

  const results = targets.map((target): TargetResult => {
    const villages = tree.roster.units
      .filter((u) => u.tags.includes(target.tag))
      .map((u): TargetVillage => {
        const latest = tasks.filter((t) => t.unitId === u.id && typeof t.figures?.[target.field] === 'number').sort((a, b) => a.period.localeCompare(b.period)).at(-1);
        const value = latest ? Number(latest.figures?.[target.field]) : undefined;
        return {
          unitId: u.id,
          unitName: u.name,
          townshipId: tree.township(u.id)?.id ?? DEPARTMENTS_GROUP.id,
          ...(latest ? { value, period: latest.period } : {}),
          reached: value !== undefined && value >= target.atLeast,
        };
      });
    const townshipIds = [...new Set(villages.map((v) => v.townshipId))];
    return {
      tag: target.tag,
      label: target.label,
      field: target.field,
      atLeast: target.atLeast,
      goal: target.share,
      county: shareOf(villages, target.share),
      townships: townshipIds.map((id) => ({
        townshipId: id,
        townshipName: tree.hasUnit(id) ? tree.unit(id).name : DEPARTMENTS_GROUP.name,
        share: shareOf(villages.filter((v) => v.townshipId === id), target.share),
      })),
      villages,
    };
  });
  return { dutyId: duty.id, dutyTitle: duty.title, year, ...(checkpoint ? { checkpoint } : {}), query, targets: results };
}
