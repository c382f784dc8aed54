export { dutyTask } from './task';
export { dutyCycle } from './dutyCycle';
export { dutyNotices } from './notices';
export { dailyDigest, personDigest } from './digest';
export { household } from './household';
export { revisitProgramme } from './revisitProgramme';
export { monitoringLifecycle } from './monitoringLifecycle';
