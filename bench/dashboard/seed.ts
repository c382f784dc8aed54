import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { OrgTree } from '../../src/roster/orgTree';
import { type TaskInput, taskWorkflowId } from '../../src/contracts/dutyTask';
import type { Duty, UnitKind } from '../../src/shared/types';
import { startTask } from '../../src/tasks/start';
import { ZONE } from '../../src/shared/zone';

const PARALLEL = 64;

export interface SeedOptions {
  count: number;
  /** Share of tasks whose deadline lies in the last eight weeks (overdue); the rest are due in the future. */
  overdueShare: number;
  taskQueue: string;
}

/** Every unit that owes something, with the real duties assigned to its kind and the person who owns its tasks. */
function owners(tree: OrgTree, duties: Duty[]) {
  return tree.roster.units.flatMap((unit) => {
    const mine = duties.filter((d) => d.assignTo.unitKinds?.includes(unit.kind as UnitKind) && d.recurrence.kind !== 'triggered');
    const person = tree.peopleOf(unit.id).find((p) => p.roles.includes('cadre') || p.roles.includes('liaison'));
    return mine.length && person ? [{ unit, person, duties: mine }] : [];
  });
}

/**
 * Real dutyTask workflows started through the project's own startTask, on a task queue no worker polls: each sits
 * in visibility exactly as a freshly opened task does (status open, its deadline, unit path, township), and none
 * wakes to send mail. Periods are synthetic (B0001 …) so 10,000 ids fit a 35-unit roster.
 */
export async function seedTasks(client: Client, tree: OrgTree, duties: Duty[], o: SeedOptions): Promise<{ ms: number; overdue: number }> {
  const list = owners(tree, duties);
  const now = DateTime.now().setZone(ZONE);
  const admins = tree.admins().map((p) => p.id);
  const inputs: TaskInput[] = [];
  let overdue = 0;
  for (let i = 0; i < o.count; i++) {
    const slot = list[i % list.length];
    if (!slot) break;
    const duty = slot.duties[Math.floor(i / list.length) % slot.duties.length] ?? slot.duties[0]!;
    const late = (i * 7919) % 1000 < o.overdueShare * 1000;
    if (late) overdue++;
    const due = late ? now.minus({ hours: 1 + ((i * 37) % (56 * 24)) }) : now.plus({ days: 30 + ((i * 13) % 900) });
    const period = `B${String(Math.floor(i / list.length)).padStart(4, '0')}`;
    const dueOn = due.toISODate() ?? '';
    inputs.push({
      taskId: taskWorkflowId(duty.id, period, slot.unit.id),
      duty: { id: duty.id, title: duty.title, completion: duty.completion, escalation: duty.escalation, sendAt: duty.reminders.sendAt, urgent: duty.urgent ?? false },
      occurrence: { dutyId: duty.id, period, periodStart: dueOn, periodEnd: dueOn, opensOn: dueOn, opensAt: due.toISO() ?? '', nominalDueOn: dueOn, dueOn, dueAt: due.toISO() ?? '', reminders: [], provisional: false },
      assignee: { personId: slot.person.id, unitId: slot.unit.id },
      unitName: slot.unit.name,
      unitPath: tree.unitPath(slot.unit.id),
      township: tree.township(slot.unit.id)?.id,
      completers: [...new Set([...tree.peopleOf(slot.unit.id).map((p) => p.id), ...admins])],
      admins,
    });
  }
  const started = Date.now();
  for (let i = 0; i < inputs.length; i += PARALLEL) {
    await Promise.all(inputs.slice(i, i + PARALLEL).map((t) => startTask(client, o.taskQueue, t)));
  }
  return { ms: Date.now() - started, overdue };
}
