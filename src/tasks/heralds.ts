import type { Client } from '@temporalio/client';
import { enrollSignal, heraldInputFor, type HeraldMember, heraldWorkflowId, leaveSignal, NOTICES_WORKFLOW_TYPE } from '../contracts/dutyNotices';
import { type TaskInput, taskStateQuery } from '../contracts/dutyTask';

/** Members per enrolment signal: well under the 2 MB payload limit. */
const ENROL_CHUNK = 2000;

/** Above this many tasks in one opening, an occurrence gets one herald per township: its state must fit one payload. */
const SPLIT_ABOVE = 10_000;

/**
 * Tasks of one occurrence share their notice instants, so one herald sends for all of them. A task under an
 * emergency, or owned by a programme (whose instants follow each household's own dates), keeps its own timeline.
 */
export function withHeralds(plan: TaskInput[]): TaskInput[] {
  const perTownship = plan.length > SPLIT_ABOVE;
  return plan.map((input) => (input.parent || input.suspensions?.length ? input : { ...input, herald: heraldWorkflowId(input, perTownship) }));
}

/**
 * Tells each herald about its tasks before they start, so a task can never close before its herald knows it.
 * Signal-with-start brings up a herald that is not running (the first tasks, or a herald whose tasks had all closed).
 */
export async function enrollInHeralds(client: Client, taskQueue: string, inputs: TaskInput[]): Promise<void> {
  const byHerald = new Map<string, TaskInput[]>();
  for (const t of inputs) {
    if (!t.herald) continue;
    const tasks = byHerald.get(t.herald);
    if (tasks) tasks.push(t);
    else byHerald.set(t.herald, [t]);
  }
  for (const [heraldId, tasks] of byHerald) {
    const first = { ...(tasks[0] as TaskInput), herald: heraldId };
    const o = first.occurrence;
    for (let i = 0; i < tasks.length; i += ENROL_CHUNK) {
      await client.workflow.signalWithStart(NOTICES_WORKFLOW_TYPE, {
        workflowId: heraldId,
        taskQueue,
        args: [heraldInputFor(first)],
        signal: enrollSignal,
        signalArgs: [{ members: tasks.slice(i, i + ENROL_CHUNK).map(memberOf) }],
        staticSummary: `通知批次 · ${first.duty.title}${o.phaseTitle ? `·${o.phaseTitle}` : ''}(${o.period})· 截止 ${o.dueOn}`,
      });
    }
  }
}

/**
 * A task that already existed (a retried opening, a second trigger) was enrolled again above; unless it is open and
 * still with that herald, the herald is told to leave it alone.
 */
export async function releaseExisting(client: Client, inputs: TaskInput[]): Promise<void> {
  for (const t of inputs) {
    if (!t.herald) continue;
    const state = await client.workflow
      .getHandle(t.taskId)
      .query(taskStateQuery)
      .catch(() => undefined);
    const stays = state?.herald?.id === t.herald && state.herald.leftAt === undefined && (state.status === 'open' || state.status === 'overdue');
    if (!stays) await client.workflow.getHandle(t.herald).signal(leaveSignal, { taskId: t.taskId });
  }
}

function memberOf(t: TaskInput): HeraldMember {
  return { taskId: t.taskId, personId: t.assignee.personId, unitId: t.assignee.unitId, ...(t.township ? { township: t.township } : {}) };
}
