import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DateTime } from 'luxon';
import type { WorkCalendar } from '../src/calendar';
import { triggeredHorizon } from '../src/calendar/triggered';
import { DutyError } from '../src/errors';
import { planHouseholdTasks, type HouseholdPlanArgs } from '../src/households/plan';
import type { OrgTree } from '../src/roster/orgTree';
import { LIFECYCLE_DUTY_ID, REVISIT_DUTY_ID } from '../src/shared/household';
import { LIFECYCLE_WORKFLOW_TYPE, lifecycleWorkflowId, type LifecycleInput } from '../src/contracts/monitoringLifecycle';
import { REVISIT_WORKFLOW_TYPE, revisitWorkflowId, type RevisitProgrammeInput } from '../src/contracts/revisitProgramme';
import { SA } from '../src/shared/searchAttributes';
import { startTask } from '../src/tasks/start';
import { type TaskInput, waiveTaskUpdate } from '../src/contracts/dutyTask';
import type { Duty, LocalDate } from '../src/shared/types';
import { ZONE } from '../src/shared/zone';

export interface HouseholdDeps {
  calendar: WorkCalendar;
  roster: () => OrgTree;
  client: Client;
  taskQueue: string;
  /** The catalog's duties, read at call time; the worker passes a source that follows file changes. */
  duties?: () => Promise<Duty[]>;
}

export type StartOutcome = 'started' | 'exists' | 'expired';

/** Failures here are about data (an unknown village, a duty missing from the catalog): retrying will not fix them. */
function fatal(err: unknown): never {
  if (err instanceof DutyError) throw ApplicationFailure.create({ type: err.name, nonRetryable: true, message: err.message });
  throw err;
}

export function householdActivities({ calendar, roster, client, taskQueue, duties }: HouseholdDeps) {
  async function duty(id: string): Promise<Duty> {
    if (!duties) throw ApplicationFailure.create({ type: 'NoCatalog', nonRetryable: true, message: 'worker 未配置职责目录' });
    const found = (await duties()).find((d) => d.id === id);
    if (!found) throw ApplicationFailure.create({ type: 'NotFoundError', nonRetryable: true, message: `职责目录中没有 ${id}` });
    return found;
  }

  async function startOnce(type: string, workflowId: string, args: unknown[], villageId: string, dutyId: string): Promise<'started' | 'exists'> {
    const tree = roster();
    try {
      await client.workflow.start(type, {
        workflowId,
        taskQueue,
        args,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: SA.dutyId, value: dutyId },
          { key: SA.unit, value: villageId },
          { key: SA.unitPath, value: tree.unitPath(villageId) },
          ...(tree.township(villageId) ? [{ key: SA.township, value: tree.township(villageId)?.id ?? '' }] : []),
          { key: SA.status, value: 'running' },
        ],
      });
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'exists';
      throw err;
    }
  }

  return {
    /** The tasks of a revisit programme or a lifecycle, with the calendar and roster in force now recorded in history. */
    async planHouseholdTasks(args: HouseholdPlanArgs & { dutyId: string }): Promise<TaskInput[]> {
      const d = await duty(args.dutyId);
      try {
        return planHouseholdTasks(d, roster(), calendar, args);
      } catch (err) {
        return fatal(err);
      }
    },

    /**
     * Starts the household's revisit programme for a clearance date, unless the whole year after it is already over
     * (`asOf` is the workflow's clock). Idempotent by workflow id.
     */
    async startRevisitProgramme(args: RevisitProgrammeInput & { asOf: string }): Promise<StartOutcome> {
      const d = await duty(REVISIT_DUTY_ID);
      if (d.recurrence.kind !== 'triggered') return fatal(new DutyError(`${REVISIT_DUTY_ID} 必须是事件触发的职责`));
      const today = DateTime.fromISO(args.asOf, { zone: ZONE }).toISODate() as LocalDate;
      if (triggeredHorizon(d.recurrence, args.clearedOn) < today) return 'expired';
      const input: RevisitProgrammeInput = { householdId: args.householdId, villageId: args.villageId, clearedOn: args.clearedOn, parent: args.parent };
      return startOnce(REVISIT_WORKFLOW_TYPE, revisitWorkflowId(args.householdId, args.clearedOn), [input], args.villageId, REVISIT_DUTY_ID);
    },

    async startLifecycle(args: LifecycleInput): Promise<'started' | 'exists'> {
      return startOnce(LIFECYCLE_WORKFLOW_TYPE, lifecycleWorkflowId(args.householdId, args.startedOn), [args], args.villageId, LIFECYCLE_DUTY_ID);
    },

    /** One task of a programme or lifecycle; idempotent by its id, and short enough to run as a local activity. */
    async openHouseholdTask(task: TaskInput): Promise<'opened' | 'exists'> {
      return startTask(client, taskQueue, task);
    },

    /** Waives open tasks on behalf of their parent workflow; a task already closed is left as it is. */
    async waiveTasks(args: { taskIds: string[]; by: string; reason: string }): Promise<Record<string, 'waived' | 'closed'>> {
      const out: Record<string, 'waived' | 'closed'> = {};
      for (const taskId of args.taskIds) {
        try {
          await client.workflow.getHandle(taskId).executeUpdate(waiveTaskUpdate, { args: [{ by: args.by, reason: args.reason }] });
          out[taskId] = 'waived';
        } catch (err) {
          const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
          if (err instanceof WorkflowNotFoundError || (cause instanceof ApplicationFailure && cause.type === 'TaskClosed')) out[taskId] = 'closed';
          else if (cause) throw ApplicationFailure.create({ type: 'WaiveRefused', nonRetryable: true, message: `${taskId}: ${cause.message}` });
          else throw err;
        }
      }
      return out;
    },
  };
}
