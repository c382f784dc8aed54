import { readdirSync } from 'node:fs';
import type { Emergency, EmergencyStore } from '../../src/store/emergencies';
import { emergencyStoreOf } from '../../src/store/records';
import { KINDS, replicas, type Replicas } from './replicas';

/** Emergencies, the same contract in the data folder and in PostgreSQL: kept in order, lifted once, numbered per day. */
describe.each(KINDS)('emergencies in %s', (kind) => {
  let r: Replicas;
  let a: EmergencyStore;
  let b: EmergencyStore;
  beforeEach(async () => {
    r = await replicas(kind);
    a = emergencyStoreOf(r.a);
    b = emergencyStoreOf(r.b);
  });
  afterEach(() => r.close());

  const suspension = (id: string, units: string[]): Emergency => ({
    id,
    kind: 'suspend',
    units,
    reason: '洞庭湖汛期防汛',
    by: 'cli:test',
    at: '2025-07-01T01:00:00.000Z',
    from: '2025-07-01',
    to: '2025-07-05',
    tasks: [{ taskId: 'task:x:2025-Q3:v-1', before: { dueOn: '2025-07-03', dueAt: '2025-07-03T09:00:00.000Z', reminders: [], provisional: false } }],
  });

  test('emergencies added from two replicas at once are both kept, oldest first, and read alike', async () => {
    const [one, two] = [suspension('em-20250701-1', ['t-qionghu']), suspension('em-20250701-2', ['t-caowei'])];
    await Promise.all([a.add(one), b.add(two)]);
    const listed = await a.list();
    expect(listed.map((e) => e.id).sort()).toEqual([one.id, two.id]);
    expect(await b.list()).toEqual(listed);
    expect(listed.find((e) => e.id === one.id)).toEqual(one);
  });

  test('lifting one marks only it, and every replica sees it lifted', async () => {
    await a.add(suspension('em-20250701-1', ['t-qionghu']));
    await a.add(suspension('em-20250701-2', ['t-caowei']));
    await b.markLifted('em-20250701-1', '2025-07-02T03:00:00.000Z');
    const [lifted, kept] = await a.list();
    expect(lifted).toMatchObject({ id: 'em-20250701-1', liftedAt: '2025-07-02T03:00:00.000Z' });
    expect(kept).not.toHaveProperty('liftedAt');
  });

  test('ids are numbered per day from 1', async () => {
    const first = await a.nextId('2025-07-01');
    expect(first).toBe('em-20250701-1');
    await a.add(suspension(first, ['t-qionghu']));
    expect(await b.nextId('2025-07-01')).toBe('em-20250701-2');
    expect(await b.nextId('2025-07-02')).toBe('em-20250702-1');
  });

  if (kind === 'postgres') {
    test('two replicas declaring at once get different ids, and nothing is written to the data folder', async () => {
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).nextId('2025-07-01')));
      expect(new Set(ids).size).toBe(10);
      await a.add(suspension(ids[0]!, ['t-qionghu']));
      expect(readdirSync(r.dataDir)).toEqual([]);
    });
  }
});
