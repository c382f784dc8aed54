import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { REPO_ROOT } from '../../src/config';
import { applySchedules, planSchedules } from '../../src/schedules/reconcile';
import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { TASK_WORKFLOW_TYPE } from '../../src/contracts/dutyTask';
import { SA } from '../../src/shared/searchAttributes';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';
import { canonical, sleep, until } from '../lib/stats';
import { startAll, syntheticTask } from '../lib/tasks';
import { openRig, type Rig } from './rig';

export interface ServerRestartOptions {
  tasks: number;
  downSec: number;
  bundle: string;
  keys: PayloadKeys;
  log: (line: string) => void;
}

export interface ServerRestartResult {
  schedulesBefore: number;
  schedulesAfter: number;
  schedulesChanged: number;
  /** What differed, for the note when a schedule did not come back as it was. */
  changes: string[];
  tasksBefore: number;
  tasksAfter: number;
  cycleOpened: number;
  remindersPlanned: number;
  remindersDelivered: number;
  overdueFired: number;
  workerRestartsNeeded: number;
  wallSec: number;
}

const CYCLE_DUTY = 'monthly-data-import';

/** Every schedule the engine owns, as plain text: id, spec, action and paused state. What must survive. */
async function scheduleImage(rig: Rig): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const s of rig.client.schedule.list()) {
    const d = await rig.client.schedule.getHandle(s.scheduleId).describe();
    out.set(s.scheduleId, canonical({ spec: d.spec, action: d.action, paused: d.state.paused }));
  }
  return out;
}

function outboxIds(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => (JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { notificationId: string }).notificationId));
  } catch {
    return new Set();
  }
}

/**
 * Stops the dev server in the middle of a cycle (a schedule just triggered, tasks sleeping towards a reminder due
 * while it is down, another after, then their deadline) and starts it again on the same database file.
 */
export async function serverRestart(o: ServerRestartOptions): Promise<ServerRestartResult> {
  const began = Date.now();
  const rig = await openRig({ label: 'restart', tasks: 0, smtpRate: 0, leadSec: 0, bundle: o.bundle, keys: o.keys });
  let workerRestarts = 0;
  try {
    const duties = (await loadCatalog(path.join(REPO_ROOT, 'catalog', 'default'))).duties;
    await applySchedules(rig.client, duties, 'restart', await planSchedules(rig.client, duties, 'restart'));
    const t0 = Date.now();
    const r1 = new Date(t0 + 8_000);
    const r2 = new Date(r1.getTime() + (o.downSec + 12) * 1000);
    const due = new Date(r2.getTime() + 5_000);
    const villages = rig.tree.roster.units.filter((u) => u.kind === 'village');
    const inputs = Array.from({ length: o.tasks }, (_, i) =>
      syntheticTask(rig.tree, { dutyId: 'bench-restart', period: `r${Math.floor(i / villages.length)}`, unitId: villages[i % villages.length]?.id ?? '', reminders: [r1, r2], dueAt: due }),
    );
    await startAll(rig.client, 'restart', inputs);
    const before = await scheduleImage(rig);
    const allTasks = visibilityQuery().workflowType(TASK_WORKFLOW_TYPE);
    const benchTasks = allTasks.eq(SA.dutyId, 'bench-restart');
    const tasksBefore = (await rig.client.workflow.count(allTasks.build())).count;

    await rig.client.schedule.getHandle(`duty:${CYCLE_DUTY}`).trigger();
    await sleep(300);
    o.log(`server restart: stopping the dev server for ${o.downSec} s, ${Math.round((r1.getTime() - Date.now()) / 1000)} s before a reminder is due`);
    await rig.cluster.restart(o.downSec * 1000);
    o.log('server restart: server back on the same database file');

    const outbox = rig.workerEnv.DUTY_OUTBOX_DIR ?? '';
    const want = (kind: string) => inputs.map((i) => `${i.taskId}/${kind}`);
    const delivered = (ids: string[]) => ids.filter((id) => outboxIds(outbox).has(id)).length;
    const all = [...want('reminder-1'), ...want('reminder-2'), ...want('overdue-1')];
    const deadline = due.getTime() + 180_000;
    while (Date.now() < deadline && delivered(all) < all.length) {
      // The worker is meant to ride out the outage by itself; if it died anyway, that is counted and it is restarted.
      if (await Promise.race([rig.worker.exited.then(() => true), sleep(1000).then(() => false)])) {
        workerRestarts += 1;
        await rig.respawn();
      }
    }
    const cycleTasks = async () => (await rig.client.workflow.count(allTasks.eq(SA.dutyId, CYCLE_DUTY).build())).count;
    const departments = rig.tree.roster.units.filter((u) => u.kind === 'department').length;
    await until(async () => (await cycleTasks()) >= departments, 60_000, 1000);
    const overdue = async () => (await rig.client.workflow.count(benchTasks.eq(SA.status, 'overdue').build())).count;
    await until(async () => (await overdue()) >= o.tasks, 30_000, 1000);
    const after = await scheduleImage(rig);
    const changed = [...before].filter(([id, image]) => after.get(id) !== image);
    return {
      schedulesBefore: before.size,
      schedulesAfter: after.size,
      schedulesChanged: changed.length,
      changes: changed.map(([id]) => id),
      tasksBefore,
      tasksAfter: (await rig.client.workflow.count(benchTasks.build())).count,
      cycleOpened: await cycleTasks(),
      remindersPlanned: o.tasks * 2,
      remindersDelivered: delivered([...want('reminder-1'), ...want('reminder-2')]),
      overdueFired: Math.min(delivered(want('overdue-1')), await overdue()),
      workerRestartsNeeded: workerRestarts,
      wallSec: (Date.now() - began) / 1000,
    };
  } finally {
    await rig.close();
  }
}
