import { greenFrom, lightRule, type LightTask } from '../calendar';
import type { Light } from '../shared/taskStates';
import { loadWorkCalendar } from '../sources/holidays';
import type { ServiceContext } from './context';

export interface Lights {
  of: (task: LightTask) => Light;
  /** Open tasks due at or after this instant are green (not extended ones): what a count query asks for. */
  greenFrom: Date;
}

/**
 * Traffic lights (红黄绿灯) as every list, page and report shows them: the working-day calendar as it is now (the
 * holiday file is read afresh, so new holiday data counts at once) and `DUTY_LIGHT_YELLOW_DAYS`.
 */
export function lightsAt(ctx: ServiceContext, now = new Date()): Lights {
  const calendar = loadWorkCalendar();
  const days = ctx.settings.lightYellowDays;
  return { of: lightRule(now, calendar, days), greenFrom: greenFrom(now, calendar, days) };
}

/** Task summaries with their light, for a listing that hands them on as they are (the API, `task list --json`). */
export function withLights<T extends LightTask>(ctx: ServiceContext, tasks: readonly T[], now = new Date()): (T & { light: Light })[] {
  const { of } = lightsAt(ctx, now);
  return tasks.map((t) => ({ ...t, light: of(t) }));
}
