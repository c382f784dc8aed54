import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { seededRandom } from '../lib/rng';
import { sleep, until } from '../lib/stats';
import { inDoubtRepeats, openRig, waitSettled } from './rig';

export interface WorkerKilledOptions {
  tasks: number;
  kills: number;
  smtpRate: number;
  seed: number;
  bundle: string;
  keys: PayloadKeys;
  log: (line: string) => void;
}

export interface WorkerKilledResult {
  planned: number;
  delivered: number;
  lost: number;
  duplicates: number;
  kills: number;
  /** Kills that landed while reminders were still undelivered. */
  killsDuringHerd: number;
  inDoubtRepeats: number;
  settled: boolean;
  wallSec: number;
}

/**
 * kill -9 of the worker at random moments while a herd of reminders goes out through a rate-limited SMTP sink,
 * each followed by a restart. Kill instants are drawn (seeded) over the window the herd would take undisturbed;
 * a kill never comes before the previous worker is up, so every kill hits a working worker.
 */
export async function workerKilled(o: WorkerKilledOptions): Promise<WorkerKilledResult> {
  const began = Date.now();
  const random = seededRandom(o.seed);
  const rig = await openRig({ label: 'killed', tasks: o.tasks, smtpRate: o.smtpRate, leadSec: 5 + o.tasks * 0.01, bundle: o.bundle, keys: o.keys });
  try {
    const sink = rig.sink;
    if (!sink) throw new Error('no sink');
    // Kills start half a second after the shared instant, when sends are in flight, and spread over the time the
    // herd would take undisturbed; each restart stretches the herd, so later kills still find work to interrupt.
    const window = Math.max(2000, (o.tasks / o.smtpRate) * 1000);
    const at = Array.from({ length: o.kills }, () => rig.plannedAt.getTime() + 500 + random() * window).sort((a, b) => a - b);
    let duringHerd = 0;
    for (const [k, when] of at.entries()) {
      await sleep(Math.max(0, when - Date.now()));
      // A restarted worker needs a moment before it holds activities worth killing.
      await sleep(200 + random() * 800);
      if (sink.unique().size < o.tasks) duringHerd += 1;
      await rig.respawn();
      o.log(`worker killed: kill ${k + 1}/${o.kills}, ${sink.unique().size}/${o.tasks} delivered`);
    }
    // Activities the killed workers held come back after their start-to-close timeout (1 minute) plus backoff.
    await until(() => sink.unique().size >= o.tasks, 10 * 60_000, 500);
    const settled = await waitSettled(rig, 5 * 60_000);
    const reminders = await rig.reminders();
    return {
      planned: o.tasks,
      delivered: reminders.delivered,
      lost: reminders.lost,
      duplicates: sink.arrivals.length - sink.unique().size,
      kills: o.kills,
      killsDuringHerd: duringHerd,
      inDoubtRepeats: inDoubtRepeats(rig),
      settled,
      wallSec: (Date.now() - began) / 1000,
    };
  } finally {
    await rig.close();
  }
}
