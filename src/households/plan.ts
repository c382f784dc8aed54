import { planTriggered } from '../calendar/triggered';
import { dutyForPeriod, type WorkCalendar } from '../calendar';
import { DutyError, NotFoundError } from '../errors';
import type { OrgTree } from '../roster/orgTree';
import type { TaskInput } from '../contracts/dutyTask';
import { assignmentFor, taskInputFor } from '../tasks/taskInput';
import type { Assignment, Duty, LocalDate, Unit } from '../shared/types';

export interface HouseholdPlanArgs {
  householdId: string;
  villageId: string;
  startOn: LocalDate;
  /** Workflow told when each task closes. */
  parent: string;
  /** Phased duties: start from this phase (a second assistance round starts at 帮扶). */
  fromPhase?: string;
  /** Rounds after the first get their own period label, so their task ids never meet the first round's. */
  round?: number;
}

/**
 * For a triggered duty the assignment names a level, not a set of units: `unitKinds: [township]` means the
 * township of the household's village. Listed `units` are taken as they are (e.g. one department).
 */
export function unitFor(tree: OrgTree, villageId: string, a: Assignment): Unit {
  const listed = a.units?.[0];
  if (listed) return tree.unit(listed);
  const upwards = tree.unitPath(villageId).reverse().map((id) => tree.unit(id));
  const found = upwards.find((u) => a.unitKinds?.includes(u.kind) && (!a.tags?.length || a.tags.some((t) => u.tags.includes(t))));
  if (!found) throw new DutyError(`村 ${villageId} 的上级中没有类型为 ${a.unitKinds?.join('/') ?? '?'} 的单位`);
  return found;
}

/** One task per round or phase, owned by the first person with the role in the unit; anyone in the unit may complete it. */
export function planHouseholdTasks(versioned: Duty, tree: OrgTree, cal: WorkCalendar, args: HouseholdPlanArgs): TaskInput[] {
  // A household's rounds are one programme, begun by its event: all of them follow the catalog version of that day.
  const duty = dutyForPeriod(versioned, { start: args.startOn });
  if (!tree.hasUnit(args.villageId)) throw new NotFoundError('村', args.villageId);
  const label = `${args.householdId}/${args.startOn}${args.round && args.round > 1 ? `#${args.round}` : ''}`;
  let occurrences = planTriggered(duty, args.startOn, label, cal);
  if (args.fromPhase) {
    const at = occurrences.findIndex((o) => o.phase === args.fromPhase);
    if (at < 0) throw new DutyError(`职责 ${duty.id} 没有环节 ${args.fromPhase}`);
    occurrences = occurrences.slice(at);
  }
  return occurrences.map((occurrence) => {
    const assignTo = assignmentFor(duty, occurrence);
    const unit = unitFor(tree, args.villageId, assignTo);
    const owner = tree.peopleOf(unit.id, assignTo.role)[0];
    if (!owner) throw new DutyError(`单位 ${unit.id}(${unit.name})没有角色为 ${assignTo.role} 的人员,无法分派 ${duty.id}`);
    // One task per unit whatever the assignment's `per`: the task id ends with the unit.
    return taskInputFor(duty, occurrence, { personId: owner.id, unitId: unit.id }, tree, { parent: args.parent, per: 'unit' });
  });
}
