import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import ical, { type VEvent } from 'node-ical';
import { buildFeed } from '../../src/feeds/ics';
import { FeedTokens, feedTokenFile, feedTokens, feedUrl } from '../../src/feeds/tokens';
import { FileFeedTokenRecords } from '../../src/feeds/tokensFile';
import { icsRoutes } from '../../src/http/ics';
import { OrgTree } from '../../src/roster/orgTree';
import type { TaskSummary } from '../../src/tasks/query';
import { roster } from '../fixtures/org';
import { duty } from '../support/cli';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duty-feeds-'));
const tree = new OrgTree(roster);
const now = new Date('2026-03-12T10:00:00+08:00');

function task(id: string, dueAt: string, status: TaskSummary['status'] = 'open'): TaskSummary {
  return { taskId: `task:${id}:2026-03:v-pine`, dutyId: id, dutyTitle: `职责${id}`, period: '2026-03', assignee: 'p-pine-1', unit: 'v-pine', status, dueOn: dueAt.slice(0, 10), dueAt: new Date(dueAt), escalationLevel: status === 'overdue' ? 1 : 0, provisional: false, flags: [], extensions: 0, returns: 0 };
}

const open = task('report', '2026-03-16T18:00:00+08:00');
const overdue = task('sweep', '2026-03-10T18:00:00+08:00', 'overdue');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function events(text: string): VEvent[] {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
}

test('each open task is an event ending at its deadline, with alarms a day and two hours before', () => {
  const text = buildFeed({ person: { id: 'p-pine-1', name: '村干部戊' }, tasks: [open, overdue], unitName: (id) => tree.unit(id).name, now, publicUrl: 'https://duty.example.org' });
  expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
  expect(text).toContain('X-WR-CALNAME:职责截止日 · 村干部戊');
  expect(text).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT1H');
  const [first, second] = events(text);
  expect(first).toMatchObject({ uid: `${open.taskId}@duty-engine`, summary: '【截止】职责report(2026-03)' });
  expect(first?.start.toISOString()).toBe('2026-03-16T09:30:00.000Z');
  expect(first?.end?.toISOString()).toBe('2026-03-16T10:00:00.000Z');
  expect(first?.description).toContain('承办单位:松村');
  expect(first?.description).toContain('截止时间:2026-03-16 18:00(北京时间)');
  expect(first?.description).toContain(`任务编号:${open.taskId}`);
  const alarms = first?.alarms ?? [];
  expect(alarms.map((a) => [a.action, String(a.trigger)])).toEqual([
    ['DISPLAY', '-PT23H30M'],
    ['DISPLAY', '-PT1H30M'],
  ]);
  // An overdue task stays visible, marked, with nothing left to ring for.
  expect(second).toMatchObject({ summary: '【已逾期】职责sweep(2026-03)' });
  expect(second?.description).toContain('状态:已逾期,1级督办');
  expect(second?.alarms ?? []).toHaveLength(0);
});

test('tokens are random, stored only as hashes, replaced on re-creation and revocable', async () => {
  const tokens = feedTokens({ kind: 'files', dataDir: tmp });
  const first = await tokens.create('p-pine-1');
  expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(await tokens.personFor(first)).toBe('p-pine-1');
  expect(readFileSync(feedTokenFile(tmp), 'utf8')).not.toContain(first);
  const second = await tokens.create('p-pine-1');
  expect(second).not.toBe(first);
  expect(await tokens.personFor(first)).toBeUndefined();
  expect(await tokens.personFor(second)).toBe('p-pine-1');
  expect(await tokens.revoke('p-pine-1')).toBe(true);
  expect(await tokens.revoke('p-pine-1')).toBe(false);
  expect(await tokens.personFor(second)).toBeUndefined();
  expect(await tokens.personFor('../../etc/passwd')).toBeUndefined();
  expect(feedUrl('abc', { DUTY_PUBLIC_URL: 'https://duty.example.org/' })).toBe('https://duty.example.org/feeds/abc.ics');
});

describe('GET /feeds/:token.ics on a bare fastify', () => {
  const tokens = new FeedTokens(new FileFeedTokenRecords(path.join(tmp, 'route', 'tokens.json')));
  let app: FastifyInstance;
  let base: string;
  let failing = false;

  beforeAll(async () => {
    app = Fastify();
    icsRoutes(app, {
      tokens,
      roster: () => tree,
      openTasks: async (personId) => {
        if (failing) throw new Error('visibility unavailable');
        return personId === 'p-pine-1' ? [open, overdue] : [];
      },
      now: () => now,
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  test('serves the calendar to the token holder', async () => {
    const res = await fetch(`${base}/feeds/${await tokens.create('p-pine-1')}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(events(await res.text())).toHaveLength(2);
  });

  test('a revoked, unknown or malformed token, or a person gone from the roster, all get the same 404', async () => {
    const revoked = await tokens.create('p-pine-2');
    await tokens.revoke('p-pine-2');
    const gone = await tokens.create('p-left-the-county');
    const bodies = new Set<string>();
    for (const token of [revoked, gone, 'A'.repeat(43), 'short']) {
      const res = await fetch(`${base}/feeds/${token}.ics`);
      expect(res.status).toBe(404);
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
  });

  test('Temporal being unreachable is a 503, not an empty calendar', async () => {
    failing = true;
    const res = await fetch(`${base}/feeds/${await tokens.create('p-pine-1')}.ics`);
    failing = false;
    expect(res.status).toBe(503);
  });
});

describe('duty feed', () => {
  const dataDir = path.join(tmp, 'cli');
  const saved = process.env.DUTY_DATA_DIR;
  beforeAll(() => {
    process.env.DUTY_DATA_DIR = dataDir;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DUTY_DATA_DIR;
    else process.env.DUTY_DATA_DIR = saved;
  });

  test('create prints the private URL once; revoke makes it stop working', async () => {
    const created = await duty('feed', 'create', 'p-hx-cadre2');
    expect(created).toMatchObject({ code: 0, err: '' });
    const token = /\/feeds\/([A-Za-z0-9_-]{43})\.ics/.exec(created.out)?.[1] ?? '';
    const tokens = feedTokens({ kind: 'files', dataDir });
    expect(await tokens.personFor(token)).toBe('p-hx-cadre2');
    expect((await duty('feed', 'list')).out).toContain('p-hx-cadre2');
    expect((await duty('feed', 'list')).out).not.toContain(token);
    expect((await duty('feed', 'revoke', 'p-hx-cadre2')).out).toContain('已作废 p-hx-cadre2 的日历订阅地址');
    expect(await tokens.personFor(token)).toBeUndefined();
  });

  test('an unknown person is refused', async () => {
    const refused = await duty('feed', 'create', 'p-nobody');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('p-nobody');
  });
});
