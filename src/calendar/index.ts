/**
 * Working-day calendar for Asia/Shanghai: official holiday arrangements, duty periods, deadlines, reminders and
 * follow-ups. Pure computation apart from reading the holiday override file in `WorkCalendar.load`.
 */
export { WorkCalendar, type CalendarResult, type LoadOptions } from './workdays';
export { DEFAULT_OVERRIDE_FILE, OVERRIDE_ENV, type HolidayOverrides } from './holidayData';
export { solarTermDate } from './solarTerms';
export { labelFormat, periodByLabel, periodContaining, periodsStartingBetween } from './periods';
export { nominalDueDate, planOccurrences, previewDuty } from './occurrences';
export { planFollowUps, type FollowUpArgs } from './followUps';
export { ZONE, atLocalTime, parseLocalDate, toInstant } from './dates';
