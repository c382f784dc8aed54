import { workerKilled } from '../../bench/faults/workerKilled';
import { faultKit, type FaultKit } from './support';

let kit: FaultKit;
beforeAll(async () => {
  kit = await faultKit();
});
afterAll(() => kit?.cleanup());

// Each kill strands the activities it held until their 1-minute start-to-close timeout: the test waits that out.
test('kill -9 of the worker mid-herd loses no reminder and repeats at most one per kill', async () => {
  const r = await workerKilled({ tasks: 40, kills: 2, smtpRate: 20, seed: 7, bundle: kit.bundle, keys: kit.keys, log: kit.log });
  expect(r.killsDuringHerd).toBeGreaterThanOrEqual(1);
  expect(r.settled).toBe(true);
  expect(r.lost).toBe(0);
  expect(r.delivered).toBe(40);
  expect(r.duplicates).toBeLessThanOrEqual(r.kills);
}, 300_000);
