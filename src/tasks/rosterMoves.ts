import type { Client } from '@temporalio/client';
import { TASK_WORKFLOW_TYPE } from '../contracts/dutyTask';
import type { OrgTree } from '../roster/orgTree';
import { SA } from '../shared/searchAttributes';
import type { Duty } from '../shared/types';
import { visibilityQuery } from './visibilityQuery';

/** An open task whose holder left the unit or the roster, and who takes it over (none when the unit has nobody). */
export interface RosterMove {
  taskId: string;
  dutyId: string;
  from: { personId: string; unitId: string };
  to?: { personId: string; unitId: string };
  /** Chinese, for the task's history, the notices and `duty plan`. */
  reason: string;
}

/**
 * Open tasks whose assignee is gone from the roster or now sits in another unit. Each passes to the unit's current
 * holder of the duty's role (the phase's role for phased duties), or else to the unit's first supervisor; the task
 * stays with its unit either way.
 */
export async function planRosterMoves(client: Client, tree: OrgTree, duties: readonly Duty[]): Promise<RosterMove[]> {
  const byId = new Map(duties.map((d) => [d.id, d]));
  const moves: RosterMove[] = [];
  const query = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE).running().build();
  for await (const info of client.workflow.list({ query })) {
    const sa = info.typedSearchAttributes;
    const from = { personId: sa.get(SA.assignee) ?? '', unitId: sa.get(SA.unit) ?? '' };
    const dutyId = sa.get(SA.dutyId) ?? '';
    const person = tree.hasPerson(from.personId) ? tree.person(from.personId) : undefined;
    // A task held outside its own unit on purpose (handed to a supervisor) stays while its holder is in the roster.
    if (person && (person.unit === from.unitId || !tree.hasUnit(from.unitId) || tree.canSupervise(person.id, from.unitId))) continue;
    if (!tree.hasUnit(from.unitId)) continue;
    const reason = person ? `名册变更:${person.name} 已调至${tree.unit(person.unit).name}` : `名册变更:${from.personId} 已不在名册中`;
    const to = successor(tree, from.unitId, roleFor(byId.get(dutyId), info.workflowId));
    moves.push({ taskId: info.workflowId, dutyId, from, ...(to ? { to: { personId: to, unitId: from.unitId } } : {}), reason });
  }
  return moves;
}

/** The role a task was assigned by: its phase's (the phase id sits in the task id) or the duty's. */
function roleFor(duty: Duty | undefined, taskId: string): string | undefined {
  if (!duty) return undefined;
  const parts = taskId.split(':');
  const phase = duty.phases?.find((p) => parts.includes(p.id));
  return (phase?.assignTo ?? duty.assignTo).role;
}

function successor(tree: OrgTree, unitId: string, role: string | undefined): string | undefined {
  const holder = role ? tree.peopleOf(unitId).find((p) => p.roles.some((r) => r === role)) : undefined;
  return holder?.id ?? tree.unit(unitId).supervisors.find((id) => tree.hasPerson(id));
}
