import { readdirSync } from 'node:fs';
import type { AuditEntry, AuditLog } from '../../src/audit/log';
import { auditLogOf } from '../../src/audit/store';
import { KINDS, replicas, type Replicas } from './replicas';

/**
 * The audit trail's contract, the same for the data folder's file and the PostgreSQL table: one ordered log that every
 * replica reads alike, filters by local (Asia/Shanghai) dates, action, actor, target and unit, and a cursor that
 * returns only what came after it.
 */
describe.each(KINDS)('audit log in %s', (kind) => {
  let r: Replicas;
  let a: AuditLog;
  let b: AuditLog;
  beforeEach(async () => {
    r = await replicas(kind);
    a = auditLogOf(r.a);
    b = auditLogOf(r.b);
  });
  afterEach(() => r.close());

  const entry = (target: string, more: Partial<AuditEntry> = {}): Omit<AuditEntry, 'at'> => ({ actor: 'p-admin', via: 'http', action: 'duty.trigger', target, ...more });

  test('entries come back newest first, as written, details in the order they were given', async () => {
    const detail = { by: 'p-cadre', fields: { rows: 12 }, withNote: true, attachments: 0 };
    const first = await a.record(entry('task:a', { action: 'task.complete', unitId: 'v-1', detail }), new Date('2025-04-01T02:00:00.123Z'));
    const second = await a.record(entry('duty-1'), new Date('2025-04-01T03:00:00Z'));
    expect(first).toEqual({ at: '2025-04-01T02:00:00.123Z', ...entry('task:a', { action: 'task.complete', unitId: 'v-1', detail }) });
    const listed = await b.list();
    expect(listed).toEqual([second, first]);
    expect(Object.keys(listed[1]!.detail!)).toEqual(['by', 'fields', 'withNote', 'attachments']);
    expect(listed[0]).not.toHaveProperty('unitId');
    expect(listed[0]).not.toHaveProperty('detail');
  });

  test('filters: local dates in Asia/Shanghai (both days included), action, actor, target, unit', async () => {
    // 2025-04-01 00:30 and 23:59 in Shanghai are still the 1st; 2025-04-02 00:00 is the 2nd.
    await a.record(entry('early', { unitId: 'v-1' }), new Date('2025-03-31T16:30:00Z'));
    await a.record(entry('late', { unitId: 'v-2', action: 'task.waive', actor: 'p-sup' }), new Date('2025-04-01T15:59:59Z'));
    await a.record(entry('next-day'), new Date('2025-04-01T16:00:00Z'));
    const targets = async (filter: Parameters<AuditLog['list']>[0]) => (await b.list(filter)).map((e) => e.target);
    expect(await targets({ from: '2025-04-01', to: '2025-04-01' })).toEqual(['late', 'early']);
    expect(await targets({ from: '2025-04-02' })).toEqual(['next-day']);
    expect(await targets({ to: '2025-03-31' })).toEqual([]);
    expect(await targets({ action: 'task.waive' })).toEqual(['late']);
    expect(await targets({ actor: 'p-admin' })).toEqual(['next-day', 'early']);
    expect(await targets({ target: 'early' })).toEqual(['early']);
    // Entries without a unit are county-wide: a unit filter leaves them out.
    expect(await targets({ unit: (u) => u === 'v-2' })).toEqual(['late']);
    expect(await targets({ unit: () => true, from: '2025-04-01', actor: 'p-admin' })).toEqual(['early']);
  });

  test('two replicas appending at once make one ordered log, read identically by both', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).record(entry(`t-${i}`))));
    const [fromA, fromB] = await Promise.all([a.list(), b.list()]);
    expect(fromA).toHaveLength(40);
    expect(fromB).toEqual(fromA);
    expect(new Set(fromA.map((e) => e.target)).size).toBe(40);
    expect((await b.since(0)).entries).toEqual([...fromA].reverse());
  });

  test('the cursor returns only what was written after it, and a reader polling during writes misses nothing', async () => {
    await a.record(entry('before'));
    const start = await b.since(0);
    expect(start.entries.map((e) => e.target)).toEqual(['before']);
    expect(await b.since(start.next)).toEqual({ entries: [], next: start.next });

    const seen: string[] = [];
    let cursor = start.next;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const { entries, next } = await b.since(cursor);
        seen.push(...entries.map((e) => e.target));
        cursor = next;
      }
    })();
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).record(entry(`w-${i}`))));
    writing = false;
    await reader;
    const rest = await a.since(cursor);
    seen.push(...rest.entries.map((e) => e.target));
    expect(seen).toEqual((await a.since(start.next)).entries.map((e) => e.target));
    expect(seen).toHaveLength(30);
  });

  test('the end of the log moves with each entry and says when it was written', async () => {
    expect(await a.end()).toEqual({ cursor: 0 });
    await a.record(entry('one'));
    const one = await b.end();
    expect(one.at).toBeGreaterThan(Date.now() - 60_000);
    await b.record(entry('two'));
    expect((await a.end()).cursor).not.toBe(one.cursor);
    expect(a.where).toBe(b.where);
  });

  if (kind === 'postgres') {
    test('nothing is written to the data folder', async () => {
      await a.record(entry('x'));
      expect(readdirSync(r.dataDir)).toEqual([]);
    });
  }
});
