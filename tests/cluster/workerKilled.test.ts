import { clusterUp } from '../../scripts/cluster/cluster';
import { dutyPid } from '../../scripts/cluster/dutyProcesses';
import type { DutyProcess } from '../../scripts/cluster/layout';
import { closeStoreBackends } from '../../src/store/backend';
import { accountHerd, clusterKit, type ClusterKit, type Herd, type HerdAccount, herdMails, herdSettled, openHerd } from './support/shared';

/**
 * kill -9 of one of the two workers while it sends a herd's reminders, and no restart: the other worker takes the
 * stranded send over (after the activity's start-to-close timeout) and finishes the herd. With the send ledger in
 * PostgreSQL it sees what the dead one sent, so nothing goes out twice (bar one send in doubt: the "≤ 1 duplicate per
 * killed worker" figure of the single-worker fault test).
 */
const WORKERS: DutyProcess[] = ['duty-worker-a', 'duty-worker-b'];

let kit: ClusterKit;
let herd: Herd;
let account: HerdAccount;
let killed: { name: DutyProcess; pid: number; survivorPid: number; sentBefore: string[] };

beforeAll(async () => {
  kit = await clusterKit();
});
afterAll(async () => {
  // The next test file finds both workers again.
  await clusterUp(kit.opts);
  await kit?.close();
  await closeStoreBackends();
}, 300_000);

test('kill -9 of one of two workers mid-herd: the other finishes the herd, no reminder and no task lost', async () => {
  herd = await openHerd(kit, 'killed');
  const pids = await Promise.all(WORKERS.map((p) => dutyPid(kit.layout, p)));
  // The worker holding the herald's batch send, caught while the relay has taken some of its messages but not all.
  const holder = await waitFor(async () => {
    const sent = herdMails(herd).length;
    if (sent < 5 || sent > herd.holders.length - 5) return undefined;
    const { raw } = await kit.client.workflow.getHandle(herd.heralds[0] as string).describe();
    const identity = raw.pendingActivities?.find((a) => a.lastWorkerIdentity)?.lastWorkerIdentity ?? '';
    const index = pids.findIndex((pid) => pid !== undefined && identity.startsWith(`${pid}@`));
    return index >= 0 ? index : undefined;
  }, 60_000, 20);
  const name = WORKERS[holder] as DutyProcess;
  const pid = pids[holder] as number;
  process.kill(pid, 'SIGKILL');
  killed = { name, pid, survivorPid: pids[1 - holder] as number, sentBefore: herdMails(herd).map((m) => m.messageId) };
  expect(killed.sentBefore.length).toBeLessThan(herd.holders.length);

  // The stranded send comes back after its start-to-close timeout (1 minute), on the survivor.
  expect(await herdSettled(kit, herd, 240_000)).toBe(true);
  account = await accountHerd(kit, herd);
  expect(account).toMatchObject({ delivered: herd.holders.length, lost: 0, lostTasks: 0 });
  expect(await dutyPid(kit.layout, name)).toBeUndefined();
}, 300_000);

test('the send retried on the other worker sends no second message', async () => {
  const { events } = await kit.client.workflow.getHandle(herd.heralds[0] as string).fetchHistory();
  const retried = (events ?? []).map((e) => e.activityTaskStartedEventAttributes).filter((a) => a && (a.attempt ?? 1) > 1);
  // The retry really ran on the survivor, not on a restarted copy of the dead worker.
  expect(retried.some((a) => a?.identity?.startsWith(`${killed.survivorPid}@`))).toBe(true);
  const again = herdMails(herd).filter((m) => killed.sentBefore.includes(m.messageId)).length - killed.sentBefore.length;
  // At most the one send in doubt at the kill (the relay took it, the ledger had not written it down yet).
  expect(again).toBeLessThanOrEqual(1);
  expect(account.duplicates).toBeLessThanOrEqual(1);
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
