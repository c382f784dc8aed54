export { dutyTask } from './task';
export { dutyCycle } from './dutyCycle';
