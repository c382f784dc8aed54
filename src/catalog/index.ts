export { loadCatalog, parseDuties, parseRoster } from './load';
export { dutySchema } from './schema';
