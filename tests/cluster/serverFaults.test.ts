import { probeService } from '../../scripts/cluster/health';
import { findPgBinaries, startPostgres, stopPostgres } from '../../scripts/cluster/postgres';
import { servicePid, startService, waitForPort } from '../../scripts/cluster/processes';
import { resolveServerBinaries } from '../../scripts/cluster/serverBinary';
import { closeStoreBackends } from '../../src/store/backend';
import { duty, eventually } from '../support/cli';
import { accountHerd, clusterKit, type ClusterKit, type Herd, herdMails, herdSettled, openHerd } from './support/shared';

/**
 * The cluster's own parts failing under a herd of reminders: the history service killed and restarted, PostgreSQL
 * restarted. Temporal retries what was in flight and the workers carry on; nothing may be lost.
 */
let kit: ClusterKit;
beforeAll(async () => {
  kit = await clusterKit();
});
afterAll(async () => {
  await kit?.close();
  await closeStoreBackends();
});

/** Once the relay has taken the herd's first message: the fault lands while the rest are going out. */
async function midHerd(herd: Herd): Promise<void> {
  await eventually(async () => herdMails(herd).length, (n) => n > 0, 60_000);
}

test('kill -9 of the history service mid-herd, then a restart: no reminder and no task lost', async () => {
  const herd = await openHerd(kit, 'history');
  await midHerd(herd);
  const pid = await servicePid(kit.layout, 'history');
  expect(pid).toBeDefined();
  process.kill(pid as number, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 2_000));
  const { server } = await resolveServerBinaries({ log: () => undefined });
  const restarted = await startService(kit.layout, server, 'history');
  expect(restarted.started).toBe(true);
  await waitForPort(kit.layout, 'history', restarted.pid, 60_000);
  await eventually(() => probeService(kit.layout, 'history').catch(() => ''), Boolean, 90_000);

  expect(await herdSettled(kit, herd, 240_000)).toBe(true);
  expect(await accountHerd(kit, herd)).toMatchObject({ delivered: herd.holders.length, lost: 0, lostTasks: 0 });
}, 300_000);

test('PostgreSQL restarted mid-cycle: the cycle completes, no reminder and no task lost', async () => {
  const pg = await findPgBinaries();
  const herd = await openHerd(kit, 'postgres');
  const cycles = async (status: string) => (await kit.client.workflow.count(`WorkflowType = 'dutyCycle' AND DutyId = 'semiannual-full-sweep' AND ExecutionStatus = '${status}'`)).count;
  const completedBefore = await cycles('Completed');
  expect((await duty('trigger', 'semiannual-full-sweep')).code).toBe(0);
  await midHerd(herd);
  await stopPostgres(kit.layout, pg!);
  await new Promise((r) => setTimeout(r, 2_000));
  await startPostgres(kit.layout, pg!);

  expect(await herdSettled(kit, herd, 240_000)).toBe(true);
  expect(await accountHerd(kit, herd)).toMatchObject({ delivered: herd.holders.length, lost: 0, lostTasks: 0 });
  await eventually(async () => ({ running: await cycles('Running'), completed: await cycles('Completed') }), (c) => c.running === 0 && c.completed > completedBefore, 180_000);
}, 300_000);
