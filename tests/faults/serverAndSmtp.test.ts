import { serverRestart } from '../../bench/faults/serverRestart';
import { smtpOutage } from '../../bench/faults/smtpOutage';
import { faultKit, type FaultKit } from './support';

let kit: FaultKit;
beforeAll(async () => {
  kit = await faultKit();
});
afterAll(() => kit?.cleanup());

test('a dev server stopped mid-cycle and started on the same file loses no schedule, task or reminder', async () => {
  const r = await serverRestart({ tasks: 10, downSec: 3, bundle: kit.bundle, keys: kit.keys, log: kit.log });
  expect(r.schedulesAfter).toBe(r.schedulesBefore);
  expect(r.changes).toEqual([]);
  expect(r.tasksAfter).toBe(10);
  expect(r.cycleOpened).toBe(25);
  expect(r.remindersDelivered).toBe(r.remindersPlanned);
  expect(r.overdueFired).toBe(10);
  expect(r.workerRestartsNeeded).toBe(0);
}, 240_000);

test('mail retried through an SMTP outage arrives once, none lost', async () => {
  const r = await smtpOutage({ tasks: 20, outageSec: 3, bundle: kit.bundle, keys: kit.keys, log: kit.log });
  expect(r.settled).toBe(true);
  expect(r.lost).toBe(0);
  expect(r.duplicates).toBe(0);
}, 240_000);
