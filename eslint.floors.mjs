/**
 * The floors of the house: an import may point down a floor, or sideways where the list below says so.
 * Floors, bottom up: shared contracts, core, platform, adapters, engine, services, faces (cli, http, scripts, bench,
 * tools). README "Layout" names the same floors; tests/lint/floors.test.ts shows a climb failing lint.
 */
const shared = ['shared', 'contracts'];
const core = ['validation', 'calendar', 'roster', 'catalog'];
const platform = ['config', 'store', 'sources', 'temporal'];
const adapters = ['tasks', 'notify', 'schedules', 'audit', 'auth', 'feeds', 'households', 'report'];
const engine = ['workflows', 'activities', 'worker'];
const below = { core: [...shared, ...core], platform: [...shared, ...core, ...platform] };
below.adapters = [...below.platform, 'tasks'];
below.engine = [...below.platform, ...adapters];

/** element → what it may import besides itself. */
export const FLOORS = {
  shared: [],
  contracts: ['shared'],
  validation: shared,
  calendar: shared,
  roster: [...shared, 'validation'],
  catalog: [...shared, 'validation', 'calendar', 'roster'],
  config: shared,
  store: shared,
  sources: [...below.core, 'config'],
  temporal: [...shared, 'config'],
  tasks: below.platform,
  notify: below.adapters,
  schedules: below.adapters,
  audit: below.adapters,
  auth: [...below.adapters, 'audit'],
  feeds: below.adapters,
  households: below.adapters,
  report: below.adapters,
  workflows: shared,
  activities: below.engine,
  worker: [...below.engine, 'activities'],
  services: [...below.engine, ...engine],
  cli: [...below.engine, ...engine, 'services'],
  http: [...below.engine, ...engine, 'services'],
  scripts: [...below.engine, ...engine, 'services', 'cli', 'http', 'tools'],
  bench: [...below.engine, ...engine, 'services', 'cli', 'http', 'tools'],
  tools: [...below.platform],
};

const folders = { workflows: 'workflows', activities: 'activities', scripts: 'scripts', bench: 'bench', tools: 'tools' };
/** Floors held by single files rather than folders. */
const files = { shared: ['src/errors.ts'], config: ['src/config.ts', 'src/log.ts'], worker: ['worker.ts'] };

export const floorElements = [
  ...Object.entries(files).map(([type, pattern]) => ({ type, pattern, mode: 'file' })),
  ...Object.keys(FLOORS)
    .filter((type) => type !== 'worker' && type !== 'config')
    .map((type) => ({ type, pattern: folders[type] ?? `src/${type}` })),
];

export const floorPolicies = [
  ...Object.entries(FLOORS).map(([type, allowed]) => ({
    from: { element: { type } },
    allow: { to: { element: { types: { anyOf: [type, ...allowed] } } } },
  })),
  // Workflows see their activities as types only (proxyActivities<typeof activities>); the code runs elsewhere.
  { from: { element: { type: 'workflows' } }, allow: { to: { element: { type: 'activities' } }, dependency: { kind: 'type' } } },
];
