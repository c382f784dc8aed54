import type { Client } from '@temporalio/client';
import type { WorkCalendar } from '../src/calendar';
import type { Notifier } from '../src/notify/notifier';
import type { OrgTree } from '../src/roster/orgTree';
import { notifyActivities } from './notify';
import { planningActivities } from './planning';
import { taskActivities } from './tasks';

export interface ActivityDeps {
  calendar: WorkCalendar;
  /** Read at call time, so a roster change reaches the next cycle without restarting the worker. */
  roster: () => OrgTree;
  client: Client;
  taskQueue: string;
  notifier: Notifier;
  quietHours: boolean;
  clock?: () => Date;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...planningActivities(deps),
    ...taskActivities(deps),
    ...notifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
