import fc from 'fast-check';
import { request } from '../http/client';
import { login, startStack, type Stack } from '../http/stack';

/**
 * Every GET route, as every role, with query parameters a curious or hostile user would try (huge ranges, odd
 * pages, foreign ids, crafted `next`): the server answers 200, a redirect or a 4xx, quickly, with a bounded body,
 * and never a 500.
 */
const PEOPLE = { admin: 'p-admin', supervisor: 'p-qh-sup', cadre: 'p-xhz-cadre1' } as const;
const TASK = 'task:three-assets-disclosure:2026-Q3:v-xinhezhou';

/** Longest a GET may take on this 2-core machine while other suites run beside it. */
const MAX_MS = 5_000;
/** The largest legitimate answer here (a county export of one period) is far below this. */
const MAX_BYTES = 2 * 1024 * 1024;

const ROUTES = [
  '/api/tasks',
  `/api/tasks/${encodeURIComponent(TASK)}`,
  '/api/duties',
  '/api/duties/monthly-data-import/preview',
  '/api/catalog/plan',
  '/api/reports/overdue',
  '/api/reports/dashboard',
  '/api/audit',
  '/api/me',
  '/login',
  '/',
  '/my',
  '/overdue',
  `/tasks/${encodeURIComponent(TASK)}`,
  '/duties',
  '/duties/monthly-data-import',
  '/audit',
  '/feeds/0000.ics',
];

const date = fc.oneof(
  fc.constantFrom('2026-01-01', '2026-12-31', '2526-12-31', '9999-12-31', '0000-01-01', '2026-02-30', '2026-13-01', '', '2026-1-1'),
  fc.date({ min: new Date('1900-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.string({ maxLength: 12 }),
);
const id = fc.oneof(
  fc.constantFrom('t-qionghu', 'v-xinhezhou', 'p-sjh-cadre1', 'p-nobody', 'monthly-data-import', "x' OR 1=1", '..', '%00', '你好', 'a'.repeat(300)),
  fc.string({ maxLength: 40 }),
);
const count = fc.oneof(fc.constantFrom('0', '-1', '1', '1000', '100000', '1e9', 'NaN', ''), fc.integer().map(String));
const next = fc.oneof(
  fc.constantFrom('/my', '//evil.example', '/%09/evil.example', '/\t/evil.example', '/\r\nSet-Cookie:x=1', '/%0d%0a', '/你好', 'https://evil.example/', 'javascript:alert(1)', '/overdue?x=1'),
  fc.string({ maxLength: 40 }),
);

const params = fc.record(
  {
    from: date,
    to: date,
    asOf: date,
    unit: id,
    assignee: id,
    duty: id,
    period: id,
    status: fc.constantFrom('open', 'overdue', 'review', 'done', 'waived', 'nope', ''),
    flag: fc.constantFrom('unacknowledged', 'progress', 'extensionRequested', 'extended', 'returned', 'nope', '', "x' OR 1=1"),
    format: fc.constantFrom('json', 'csv', 'xlsx', 'table', 'pdf', ''),
    page: count,
    pageSize: count,
    limit: count,
    weeks: count,
    next,
  },
  { requiredKeys: [] },
);

let stack: Stack;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ people: Object.values(PEOPLE) });
  await stack.openPeriod('three-assets-disclosure', '2026-Q3');
  for (const person of Object.values(PEOPLE)) cookies[person] = await login(stack.baseUrl, person);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test('every GET route, every role, odd query parameters: never a 500, never slow, never huge, never off-site', async () => {
  const role = fc.constantFrom<keyof typeof PEOPLE | 'anonymous'>('admin', 'supervisor', 'cadre', 'anonymous');
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ROUTES), role, params, async (route, who, query) => {
      const search = new URLSearchParams(query as Record<string, string>).toString();
      const headers: Record<string, string> = who === 'anonymous' ? {} : { cookie: cookies[PEOPLE[who]] ?? '' };
      const started = Date.now();
      const reply = await request(stack.baseUrl, 'GET', `${route}${search ? `?${search}` : ''}`, { headers });
      const elapsed = Date.now() - started;
      const where = `${who} GET ${route}?${search} → ${reply.status}`;
      expect({ where, serverError: reply.status >= 500 }).toEqual({ where, serverError: false });
      expect({ where, slow: elapsed > MAX_MS }).toEqual({ where, slow: false });
      expect({ where, huge: Buffer.byteLength(reply.text) > MAX_BYTES }).toEqual({ where, huge: false });
      const location = reply.headers.location;
      if (location) expect({ where, offSite: !location.startsWith('/') || location.startsWith('//') || /[\s\\]/.test(location) }).toEqual({ where, offSite: false });
    }),
    { numRuns: 300, seed: 20261203 },
  );
}, 600_000);
