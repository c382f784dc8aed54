/**
 * Working-day calendar for Asia/Shanghai: official holiday arrangements, duty periods, deadlines, reminders and
 * follow-ups. Pure computation: the holiday file is read by src/sources/holidays.ts.
 */
export { WorkCalendar, type CalendarResult } from './workdays';
export { holidayProblems, parseOverrides, type HolidayOverrides, type HolidayProblem, type YearArrangement } from './holidayData';
export { solarTermDate } from './solarTerms';
export { labelFormat, periodByLabel, periodContaining, periodsStartingBetween } from './periods';
export { nominalDueDate, planDeadline, planOccurrences, previewDuty } from './occurrences';
export { baseTerms, dutyForPeriod, versionsInForce } from './dutyVersions';
export { currentPeriod, type CurrentPeriod } from './currentPeriod';
export { deadlineAfterWindow, workingDaysIn } from './emergencyWindow';
export { addWorkingHours, isWithinWorkingHours, WORKING_HOURS } from './workingHours';
export { planFollowUps, type FollowUpArgs } from './followUps';
export { atLocalTime, parseLocalDate, toInstant } from './dates';
export { greenFrom, lightOf, lightRule, type LightTask } from './light';
