import type { PayloadKeys } from '../../src/temporal/payloadKeys';
import { sleep, until } from '../lib/stats';
import { openRig, waitSettled } from './rig';

export interface SmtpOutageOptions {
  tasks: number;
  outageSec: number;
  bundle: string;
  keys: PayloadKeys;
  log: (line: string) => void;
}

export interface SmtpOutageResult {
  planned: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outageSec: number;
  /** From the planned instant to the last acceptance: the backoff step that caught the sink back up. */
  lastLateSec: number;
  settled: boolean;
}

/**
 * The SMTP sink goes down just before a herd's reminders are due and comes back `outageSec` later. Sends fail with
 * "connection refused" and are retried by the activity's backoff (10 s doubling, up to 10 minutes apart).
 */
export async function smtpOutage(o: SmtpOutageOptions): Promise<SmtpOutageResult> {
  const rig = await openRig({ label: 'outage', tasks: o.tasks, smtpRate: 200, leadSec: 6 + o.tasks * 0.01, bundle: o.bundle, keys: o.keys });
  try {
    const sink = rig.sink;
    if (!sink) throw new Error('no sink');
    await sleep(Math.max(0, rig.plannedAt.getTime() - 1000 - Date.now()));
    await sink.down();
    o.log(`smtp outage: sink down for ${o.outageSec} s`);
    await sleep(o.outageSec * 1000);
    const during = sink.arrivals.length;
    await sink.up();
    o.log(`smtp outage: sink back (${during} accepted while down)`);
    // The last retry before the sink came back may be up to one backoff step (at most 10 minutes) away.
    await until(() => sink.unique().size >= o.tasks, (o.outageSec * 2 + 660) * 1000, 500);
    const settled = await waitSettled(rig, 5 * 60_000);
    const last = Math.max(...sink.arrivals.map((a) => a.at));
    const reminders = await rig.reminders();
    return {
      planned: o.tasks,
      delivered: reminders.delivered,
      lost: reminders.lost,
      duplicates: sink.arrivals.length - sink.unique().size,
      outageSec: o.outageSec,
      lastLateSec: (last - rig.plannedAt.getTime()) / 1000,
      settled,
    };
  } finally {
    await rig.close();
  }
}
