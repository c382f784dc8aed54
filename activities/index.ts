import type { Client } from '@temporalio/client';
import type { WorkCalendar } from '../src/calendar';
import type { DigestConfig } from '../src/config';
import type { DigestSender } from '../src/notify/digestSender';
import type { BatchSender } from '../src/notify/batchSender';
import type { Notifier } from '../src/notify/notifier';
import type { OrgTree } from '../src/roster/orgTree';
import type { Duty } from '../src/shared/types';
import type { DeliveryLog } from '../src/store/deliveries';
import type { EmergencyWindow } from '../src/tasks/emergencyInput';
import { digestActivities } from './digest';
import { householdActivities } from './households';
import { noticeActivities } from './notices';
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
  /** The herald's batched sends, and where they are written down per task. */
  batchSender: BatchSender;
  deliveries: DeliveryLog;
  digestSender: DigestSender;
  /** From the environment when absent (DUTY_DIGEST_*). */
  digestConfig?: DigestConfig;
  quietHours: boolean;
  clock?: () => Date;
  /** The catalog's duties, for event-triggered work (revisits, lifecycles). */
  duties?: () => Promise<Duty[]>;
  /** Emergency suspensions in force now (from the data folder or the database). */
  emergencies?: () => Promise<EmergencyWindow[]>;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...planningActivities(deps),
    ...taskActivities(deps),
    ...notifyActivities(deps),
    ...noticeActivities(deps),
    ...digestActivities(deps),
    ...householdActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
