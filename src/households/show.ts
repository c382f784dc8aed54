import { DateTime } from 'luxon';
import type { OrgTree } from '../roster/orgTree';
import type { HouseholdState } from '../contracts/household';
import type { HouseholdStatus, RoundEntry, RoundStatus } from '../shared/household';
import type { LifecycleState } from '../contracts/monitoringLifecycle';
import type { RevisitProgrammeState } from '../contracts/revisitProgramme';
import { maskIdNumber, maskName } from '../validation/idCard';
import { ZONE } from '../shared/zone';

export interface HouseholdView {
  household: Omit<HouseholdState, 'digest'>;
  programmes: RevisitProgrammeState[];
  lifecycles: LifecycleState[];
}

export const HOUSEHOLD_STATUS: Record<HouseholdStatus, string> = { monitored: '监测帮扶中', revisiting: '风险已消除·回头看中', stable: '风险已消除·回头看已结束' };
const ROUND: Record<RoundStatus, string> = {
  pending: '未开启',
  open: '办理中',
  overdue: '已逾期',
  done: '已完成(按期)',
  late: '已完成(逾期)',
  waived: '已免除',
  cancelled: '已取消',
};
const PROGRAMME: Record<RevisitProgrammeState['status'], string> = { running: '进行中', finished: '已结束', cancelled: '已取消' };
const LIFECYCLE: Record<LifecycleState['status'], string> = { running: '进行中', cleared: '风险已消除', withdrawn: '已撤销' };
const YES_NO = (v: unknown) => (v === true ? '是' : v === false ? '否' : '-');

/** The only form in which a household leaves the CLI: name and ID number masked, in text and in JSON alike. */
export function maskedView(view: HouseholdView): HouseholdView {
  const r = view.household.record;
  return { ...view, household: { ...view.household, record: { ...r, headName: maskName(r.headName), idNumber: maskIdNumber(r.idNumber) } } };
}

function stamp(iso?: string): string {
  return iso ? (DateTime.fromISO(iso, { zone: ZONE }).toISODate() ?? iso) : '';
}

function roundLine(r: RoundEntry): string {
  const f = r.fields ?? {};
  const findings =
    r.status === 'done' || r.status === 'late'
      ? /^r\d+$/.test(r.phase)
        ? `  走访:${YES_NO(f.visited)} 收入稳定:${YES_NO(f.incomeStable)} 三保障和饮水安全:${YES_NO(f.guaranteesHold)} 风险返回:${YES_NO(f.riskReturned)}`
        : Object.keys(f).length
          ? `  ${Object.entries(f).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`
          : ''
      : '';
  const closed = r.closedAt ? ` ${stamp(r.closedAt)}${r.by && r.status !== 'cancelled' ? ` ${r.by}` : ''}` : '';
  const why = r.reason ? `  原因: ${r.reason}` : '';
  // Revisits open on a planned day; a lifecycle stage opens when the one before it is done.
  const revisit = /^r\d+$/.test(r.phase);
  const opens = r.openedAt || revisit ? `开启 ${stamp(r.openedAt ?? r.opensAt)}` : '上一环节办结后开启';
  return `    ${r.title.padEnd(4, ' ')} ${opens} 截止 ${r.dueOn}  ${ROUND[r.status]}${closed}${findings}${why}${r.note ? `  说明: ${r.note}` : ''}`;
}

export function describeHousehold(view: HouseholdView, tree: OrgTree): string {
  const { household: h } = maskedView(view);
  const r = h.record;
  const village = tree.hasUnit(r.villageId) ? tree.unit(r.villageId) : undefined;
  const township = village ? tree.township(village.id) : undefined;
  const lines = [
    `户 ${r.householdId}  户主 ${r.headName}  身份证号 ${r.idNumber}`,
    `  所在村: ${village?.name ?? r.villageId}(${r.villageId})${township ? ` · ${township.name}` : ''}`,
    `  监测类型: ${r.monitoringType}  风险类型: ${r.riskTypes.join('、')}`,
    `  识别日期: ${r.identifiedOn}  风险消除日期: ${r.riskClearedOn ?? '-'}`,
    `  状态: ${HOUSEHOLD_STATUS[h.status]}`,
  ];
  for (const p of view.programmes) {
    lines.push(`  回头看计划 ${p.programmeId}(${PROGRAMME[p.status]}${p.cancellation ? `: ${p.cancellation.reason}` : ''})`);
    lines.push(...p.revisits.map(roundLine));
  }
  for (const l of view.lifecycles) {
    lines.push(`  识别帮扶流程 ${l.lifecycleId}(${LIFECYCLE[l.status]}${l.clearedOn ? `,风险消除于 ${l.clearedOn}` : ''})`);
    lines.push(...l.stages.map(roundLine));
  }
  lines.push('  经过:');
  for (const e of h.events) lines.push(`    ${stamp(e.at)}  ${e.action}  ${e.actor}${e.detail ? `  ${e.detail}` : ''}`);
  return lines.join('\n');
}
