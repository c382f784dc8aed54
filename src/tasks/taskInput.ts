import type { OrgTree } from '../roster/orgTree';
import { type TaskDuty, type TaskInput, taskWorkflowId } from '../contracts/dutyTask';
import type { Assignment, Duty, Occurrence, Phase } from '../shared/types';

export type TaskAssignee = TaskInput['assignee'];

export interface TaskInputOptions {
  /** A workflow (revisit programme, monitoring lifecycle) told by signal when the task closes. */
  parent?: string;
  /**
   * Whose id ends the task id: the unit's or the person's. Defaults to the assignment's `per`; a planner that
   * always makes one task per unit (households) says `unit`.
   */
  per?: Assignment['per'];
}

/** The phase of the duty an occurrence belongs to, if the duty has phases. */
export function phaseOf(duty: Duty, occurrence: Occurrence): Phase | undefined {
  return occurrence.phase ? duty.phases?.find((p) => p.id === occurrence.phase) : undefined;
}

/** Who owns an occurrence's tasks: its phase's assignment when the phase has one, else the duty's. */
export function assignmentFor(duty: Duty, occurrence: Occurrence): Assignment {
  return phaseOf(duty, occurrence)?.assignTo ?? duty.assignTo;
}

/** What the task workflow keeps of its duty; a phase with its own completion form replaces the duty's. */
export function taskDutyFor(duty: Duty, occurrence: Occurrence): TaskDuty {
  return {
    id: duty.id,
    title: duty.title,
    completion: phaseOf(duty, occurrence)?.completion ?? duty.completion,
    escalation: duty.escalation,
    sendAt: duty.reminders.sendAt,
    urgent: duty.urgent ?? false,
    ...(duty.review ? { review: duty.review } : {}),
    ...(duty.acknowledge ? { acknowledgeWithinHours: duty.acknowledge.withinWorkingHours } : {}),
  };
}

/**
 * The input of one `dutyTask` workflow: its business id, the duty subset, where the assignee's unit sits in the
 * roster, and who may complete (the unit's people and the admins) or waive (the admins) it, as the roster is now.
 */
export function taskInputFor(duty: Duty, occurrence: Occurrence, assignee: TaskAssignee, tree: OrgTree, opts: TaskInputOptions = {}): TaskInput {
  const per = opts.per ?? assignmentFor(duty, occurrence).per;
  const admins = tree.admins().map((p) => p.id);
  return {
    taskId: taskWorkflowId(duty.id, occurrence.period, per === 'unit' ? assignee.unitId : assignee.personId, occurrence.phase),
    duty: taskDutyFor(duty, occurrence),
    occurrence,
    assignee,
    unitName: tree.unit(assignee.unitId).name,
    unitPath: tree.unitPath(assignee.unitId),
    township: tree.township(assignee.unitId)?.id,
    completers: [...new Set([...tree.peopleOf(assignee.unitId).map((p) => p.id), ...admins])],
    admins,
    ...(opts.parent !== undefined ? { parent: opts.parent } : {}),
  };
}
