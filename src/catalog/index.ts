export { parseDuties } from './parse';
export { dutySchema } from './schema';
