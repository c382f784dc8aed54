import type { DeliveryRecord } from '../../src/contracts/dutyTask';
import type { DeliveryLog } from '../../src/store/deliveries';
import { deliveryLogOf } from '../../src/store/records';
import { KINDS, replicas, type Replicas } from './replicas';

/**
 * The herald's delivery records per task, the same contract in the data folder and in PostgreSQL: a batch written at
 * once, read per task from any replica, and a retried batch's later record winning for the same notice and person.
 */
describe.each(KINDS)('delivery records in %s', (kind) => {
  let r: Replicas;
  let a: DeliveryLog;
  let b: DeliveryLog;
  beforeEach(async () => {
    r = await replicas(kind);
    a = deliveryLogOf(r.a);
    b = deliveryLogOf(r.b);
  });
  afterEach(() => r.close());

  const record = (taskId: string, personId: string, result: DeliveryRecord['result'], more: Partial<DeliveryRecord> = {}) => ({
    taskId,
    record: {
      notificationId: `${taskId}#reminder-1`,
      kind: 'reminder' as const,
      level: 0,
      personId,
      channel: result === 'sent' ? ('email' as const) : ('none' as const),
      result,
      plannedAt: '2025-07-01T01:00:00.000Z',
      sentAt: '2025-07-01T01:00:05.000Z',
      ...more,
    },
  });

  test('a retried batch writes its notices again and the later record wins, on every replica', async () => {
    await a.append([record('task:1', 'p-1', 'failed', { detail: 'SMTP 421' }), record('task:1', 'p-2', 'sent'), record('task:2', 'p-1', 'sent')]);
    await b.append([record('task:1', 'p-1', 'sent', { messageId: 'm-2', sentAt: '2025-07-01T01:05:00.000Z' })]);
    const one = await a.forTask('task:1');
    expect(one).toHaveLength(2);
    expect(one.find((d) => d.personId === 'p-1')).toEqual(record('task:1', 'p-1', 'sent', { messageId: 'm-2', sentAt: '2025-07-01T01:05:00.000Z' }).record);
    expect(await b.forTask('task:1')).toEqual(one);
    expect(await b.forTask('task:2')).toEqual([record('task:2', 'p-1', 'sent').record]);
    expect(await b.forTask('task:none')).toEqual([]);
  });

  test('one batch carrying the same notice twice keeps its later record', async () => {
    await a.append([record('task:1', 'p-1', 'failed'), record('task:1', 'p-1', 'sent')]);
    expect((await b.forTask('task:1')).map((d) => d.result)).toEqual(['sent']);
  });

  test("a herd's batch is written at once: ten thousand records in one statement in PostgreSQL", async () => {
    // The files' side writes one file per task: a thousand show the same and keep the suite quick.
    const size = kind === 'postgres' ? 10_000 : 1_000;
    const herd = Array.from({ length: size }, (_, i) => record(`task:${i}`, `p-${i % 97}`, 'sent', { messageId: `m-${i % 50}` }));
    let roundTrips = 0;
    r.db?.pool.on('acquire', () => (roundTrips += 1));
    await a.append(herd);
    if (kind === 'postgres') expect(roundTrips).toBe(1);
    expect(await b.forTask('task:0')).toEqual([herd[0]!.record]);
    expect(await b.forTask(`task:${size - 1}`)).toEqual([herd[size - 1]!.record]);
  });
});
