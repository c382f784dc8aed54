import { DateTime } from 'luxon';
import { UsageError } from '../errors';
import type { TaskFlag, TaskStatus } from '../shared/searchAttributes';
import { type Light, YELLOW_WITHIN_DEFAULT } from '../shared/taskStates';
import { ZONE } from '../shared/zone';
import { parseLocalDate, toLocalDate } from './dates';
import type { WorkCalendar } from './workdays';

/** What a light is read from: a task summary and a task's state both fit. */
export interface LightTask {
  status: TaskStatus;
  flags: readonly TaskFlag[];
  /** The current deadline instant (an extension moves it). */
  dueAt: Date;
}

/**
 * The start of the first day whose deadlines are green. Working days left = working days after today, up to and
 * including the deadline day (today never counts, a deadline on a day off adds none). Yellow is "at most N left",
 * so green starts on the (N+1)-th working day after today: over a weekend or the Spring Festival that is further
 * off in calendar days.
 */
export function greenFrom(now: Date, calendar: WorkCalendar, yellowWithin = YELLOW_WITHIN_DEFAULT): Date {
  if (!Number.isInteger(yellowWithin) || yellowWithin < 0) {
    throw new UsageError(`黄灯天数无效: ${JSON.stringify(yellowWithin)},应为非负整数(工作日)`);
  }
  const today = toLocalDate(DateTime.fromJSDate(now, { zone: ZONE }));
  return parseLocalDate(calendar.addWorkingDays(today, yellowWithin + 1).date).toJSDate();
}

/**
 * The light of every task at one instant; the calendar is consulted once, not per task. Closed, in-review and
 * overdue tasks come first: an extended task past its new deadline is red again, not "extended".
 */
export function lightRule(now: Date, calendar: WorkCalendar, yellowWithin = YELLOW_WITHIN_DEFAULT): (task: LightTask) => Light {
  const green = greenFrom(now, calendar, yellowWithin).getTime();
  return (task) => {
    if (task.status === 'done' || task.status === 'waived' || task.status === 'review') return task.status;
    // The workflow turns a task overdue at its deadline; visibility may show it a moment later.
    if (task.status === 'overdue' || task.dueAt.getTime() < now.getTime()) return 'red';
    if (task.flags.includes('extended')) return 'extended';
    return task.dueAt.getTime() < green ? 'yellow' : 'green';
  };
}

/** One task's light: red overdue, yellow due within `yellowWithin` working days, green later; see `lightRule`. */
export function lightOf(task: LightTask, now: Date, calendar: WorkCalendar, yellowWithin = YELLOW_WITHIN_DEFAULT): Light {
  return lightRule(now, calendar, yellowWithin)(task);
}
