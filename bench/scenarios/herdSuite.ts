import type { Bar } from '../lib/chart';
import type { Line } from '../lib/table';
import { runBareHerd, type BareHerdResult } from './bareHerd';
import { type HerdChannel, type HerdContext, type HerdResult, runHerd } from './herd';

export interface HerdSuiteOptions {
  tasks: number;
  channels: HerdChannel[];
  smtpRate: number;
  leadSec: number;
  cache: number;
  /** Cadres in the one WeCom group whose robot allows 20 messages a minute. */
  groupCadres: number;
  bareBundle: string;
}

export interface HerdSuiteResult {
  bare: BareHerdResult;
  engine: HerdResult[];
  group?: HerdResult;
}

const DRAIN_TIMEOUT_SEC = 1800;
const s = (ms: number) => (ms / 1000).toFixed(1);

/**
 * The bare herd (the anchor), then the engine's herd on each channel, then one robot group of cadres all due at
 * once, in one run so the ratios compare like with like. Every row carries its goal from issue 12.
 */
export async function runHerdSuite(ctx: HerdContext, o: HerdSuiteOptions): Promise<{ result: HerdSuiteResult; lines: Line[]; bars: Bar[] }> {
  const lines: Line[] = [];
  const bars: Bar[] = [];
  const bare = await runBareHerd({ bundle: o.bareBundle, tasks: o.tasks, leadSec: o.leadSec, cache: o.cache, drainTimeoutSec: DRAIN_TIMEOUT_SEC, log: ctx.log, target: ctx.target });
  lines.push(
    { scenario: 'bare herd', measure: `${bare.tasks} bare workflows, one timer + one outbox send: p50 / p99 / max lateness`, value: `${s(bare.lateness.p50)} / ${s(bare.lateness.p99)} / ${s(bare.lateness.max)} s` },
    { scenario: 'bare herd', measure: 'lost; persistence operations per send', value: `${bare.lost}; ${bare.opsPerNotice.toFixed(1)}` },
  );
  const engine: HerdResult[] = [];
  for (const channel of o.channels) {
    const r = await runHerd(ctx, { tasks: o.tasks, channel, smtpRate: o.smtpRate, leadSec: o.leadSec, cache: o.cache, drainTimeoutSec: DRAIN_TIMEOUT_SEC });
    engine.push(r);
    const goalSec = channel === 'smtp' ? 1.1 * (r.tasks / o.smtpRate) : channel === 'robot' ? 60 : 10;
    lines.push(
      { scenario: 'deadline herd', measure: `${r.tasks} reminders, ${r.channel}: p50 / p99 / max lateness`, value: `${s(r.lateness.p50)} / ${s(r.lateness.p99)} / ${s(r.lateness.max)} s`, goal: `p99 ≤ ${goalSec.toFixed(0)} s`, ok: r.lateness.p99 <= goalSec * 1000 },
      { scenario: 'deadline herd', measure: `${r.channel}: lost / duplicates / messages / refusals`, value: `${r.lost} / ${r.duplicates} / ${r.messages} / ${r.refusals}`, goal: '0 lost, 0 refused', ok: r.lost === 0 && r.refusals === 0 },
      { scenario: 'deadline herd', measure: `${r.channel}: persistence operations per reminder`, value: r.opsPerNotice.toFixed(3), goal: '≤ 1', ok: r.opsPerNotice <= 1 },
    );
    if (r.database) lines.push({ scenario: 'deadline herd', measure: `${r.channel}: PostgreSQL rows written / transactions / time in PostgreSQL`, value: `${r.database.rowsWritten} / ${r.database.transactions} / ${r.database.activeSec} s` });
    bars.push({ label: `herd p99 lateness, ${r.channel}`, value: r.lateness.p99 / 1000, goal: goalSec, unit: 's', lowerIsBetter: true });
  }
  const outbox = engine.find((r) => r.channel === 'outbox');
  if (outbox) {
    const ratio = outbox.lateness.p99 / bare.lateness.p99;
    lines.push({ scenario: 'deadline herd', measure: 'engine herd p99 ÷ bare herd p99 (outbox, same run)', value: ratio.toFixed(3), goal: '≤ 0.1', ok: ratio <= 0.1 });
    bars.push({ label: 'herd p99 engine ÷ bare', value: ratio, goal: 0.1, unit: '', lowerIsBetter: true });
  }
  let group: HerdResult | undefined;
  if (o.groupCadres > 0) {
    group = await runHerd(ctx, { tasks: o.groupCadres, channel: 'robot', villages: 1, smtpRate: o.smtpRate, leadSec: 15, cache: o.cache, drainTimeoutSec: 600 });
    lines.push({
      scenario: 'robot group',
      measure: `one WeCom group of ${group.tasks} cadres all due at once (robot: 20/min): last delivered; messages; refusals`,
      value: `${s(group.lateness.max)} s; ${group.messages}; ${group.refusals}`,
      goal: 'all ≤ 60 s, 0 refused',
      ok: group.lost === 0 && group.lateness.max <= 60_000 && group.refusals === 0,
    });
  }
  return { result: { bare, engine, ...(group ? { group } : {}) }, lines, bars };
}
