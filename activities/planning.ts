import { ApplicationFailure } from '@temporalio/activity';
import { DateTime } from 'luxon';
import { addWorkingHours, dutyForPeriod, periodByLabel, periodContaining, planFollowUps as planFollowUpStream, planOccurrences, type WorkCalendar } from '../src/calendar';
import type { OrgTree } from '../src/roster/orgTree';
import { catalogVersionFor } from '../src/schedules/catalogVersion';
import type { TaskInput } from '../src/contracts/dutyTask';
import { assignmentFor, taskInputFor } from '../src/tasks/taskInput';
import { type EmergencyWindow, withEmergencies } from '../src/tasks/emergencyInput';
import type { Duty, EscalationPolicy, FollowUp, LocalTime, Occurrence, ScheduledRecurrence } from '../src/shared/types';
import { ZONE } from '../src/shared/zone';

export interface CyclePlan {
  period: string;
  opensAt: string;
  tasks: TaskInput[];
}

export interface PlanningDeps {
  calendar: WorkCalendar;
  roster: () => OrgTree;
  /** Emergency suspensions in force now; tasks opening under them start suspended. */
  emergencies?: () => Promise<EmergencyWindow[]>;
}

export function planningActivities({ calendar, roster, emergencies = async () => [] }: PlanningDeps) {
  return {
    /** Runs as an activity so the holiday data and the roster used for this period are recorded in history. */
    async planCycle(args: { duty: Duty; period?: string; at: string }): Promise<CyclePlan> {
      const { duty } = args;
      if (duty.recurrence.kind === 'triggered') {
        throw ApplicationFailure.create({ type: 'NotScheduled', nonRetryable: true, message: `职责 ${duty.id} 由事件触发,不能按周期生成` });
      }
      const recurrence: ScheduledRecurrence = duty.recurrence;
      const period = args.period
        ? periodByLabel(recurrence, args.period)
        : periodContaining(recurrence, DateTime.fromISO(args.at, { zone: ZONE }).toISODate() ?? '');
      if (!period) {
        throw ApplicationFailure.create({ type: 'NoPeriod', nonRetryable: true, message: `${args.at} 不在职责 ${duty.id} 的任何周期内` });
      }
      // The version in force when the period begins sets its terms; tasks already open keep the ones they opened with.
      const terms = dutyForPeriod(duty, period);
      const catalogVersion = catalogVersionFor(duty, period.start);
      const occurrences = planOccurrences(terms, period, calendar);
      const tree = roster();
      const windows = await emergencies();
      const tasks = occurrences.flatMap((o) => tasksFor(terms, o, tree).map((t) => withEmergencies({ ...t, catalogVersion }, windows, terms, tree, calendar)));
      const opensAt = occurrences.map((o) => o.opensAt).sort()[0] ?? period.start;
      return { period: period.label, opensAt, tasks };
    },

    /** When an unacknowledged task is reported: counted in working hours, so it needs the holiday data. */
    async workingHoursAfter(args: { from: string; hours: number }): Promise<string> {
      return addWorkingHours(args.from, args.hours, calendar);
    },

    async planFollowUps(args: { dueAt: string; policy: EscalationPolicy; sendAt: LocalTime; after?: string; limit: number }): Promise<FollowUp[]> {
      return planFollowUpStream(args, calendar);
    },
  };
}

function tasksFor(duty: Duty, occurrence: Occurrence, tree: OrgTree): TaskInput[] {
  return tree.resolveAssignees(assignmentFor(duty, occurrence)).map((assignee) => taskInputFor(duty, occurrence, assignee, tree));
}
