/**
 * npm run faults [-- --quick] [-- --only killed,restart,outage,input,privacy] …  (flags: npm run faults -- --help)
 * Asserts what must survive each fault, prints a table, writes artifacts/bench/faults-latest.json, exits 1 on any failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { REPO_ROOT } from '../../src/config';
import { keyIdOf, type PayloadKeys } from '../../src/temporal/payloadKeys';
import { installRuntimeLogging } from '../../src/temporal/runtimeLogging';
import { bundleToFile, ENGINE_WORKFLOWS } from '../lib/bundle';
import { busyNeighbours, cores, load } from '../lib/proc';
import { printTable, type Line } from '../lib/table';
import { runInputFuzz } from './inputFuzz';
import { privacy } from './privacy';
import { serverRestart } from './serverRestart';
import { smtpOutage } from './smtpOutage';
import { workerKilled } from './workerKilled';

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const program = new Command('faults')
  .option('--quick', 'a few kills, a short outage, 50 cases per input')
  .option('--only <faults>', 'killed,restart,outage,input,privacy', list, ['killed', 'restart', 'outage', 'input', 'privacy'])
  .option('--kills <n>', 'worker killed: kill -9 count', Number, 20)
  .option('--herd <n>', 'worker killed: reminders in the herd', Number, 1000)
  .option('--smtp-rate <n>', 'worker killed: SMTP sink messages a second (sets how long the herd lasts)', Number, 25)
  .option('--down <s>', 'server restarted: seconds the dev server stays down', Number, 20)
  .option('--outage <s>', 'SMTP outage: seconds the sink is down', Number, 120)
  .option('--outage-herd <n>', 'SMTP outage: reminders due during the outage', Number, 200)
  .option('--cases <n>', 'bad input: fuzz cases per input', Number, 1000)
  .option('--seed <n>', 'seed for kill moments and fuzz cases', Number, 20260315);

interface Opts {
  quick?: boolean;
  only: string[];
  kills: number;
  herd: number;
  smtpRate: number;
  down: number;
  outage: number;
  outageHerd: number;
  cases: number;
  seed: number;
}

async function main(): Promise<void> {
  program.parse();
  let o = program.opts<Opts>();
  const given = (name: string) => program.getOptionValueSource(name) === 'cli';
  if (o.quick) {
    o = { ...o, kills: given('kills') ? o.kills : 3, herd: given('herd') ? o.herd : 150, down: given('down') ? o.down : 5, outage: given('outage') ? o.outage : 5, outageHerd: given('outageHerd') ? o.outageHerd : 50, cases: given('cases') ? o.cases : 50 };
  }
  installRuntimeLogging(pino({ level: 'error' }));
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const before = { load: load(), neighbours: busyNeighbours([]) };
  log(`machine: ${cores()} cores, load ${before.load}; busy: ${before.neighbours.join(' | ') || 'nothing else'}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'duty-faults-'));
  const key = randomBytes(32);
  const keys: PayloadKeys = { current: { id: keyIdOf(key), key }, all: new Map([[keyIdOf(key), key]]), source: 'faults' };
  const lines: Line[] = [];
  const results: Record<string, unknown> = {};
  try {
    const bundle = await bundleToFile(ENGINE_WORKFLOWS, path.join(work, 'engine.js'));
    if (o.only.includes('killed')) {
      const r = await workerKilled({ tasks: o.herd, kills: o.kills, smtpRate: o.smtpRate, seed: o.seed, bundle, keys, log });
      results.workerKilled = r;
      lines.push({ scenario: 'worker killed', measure: `${r.kills} × kill -9 (${r.killsDuringHerd} mid-herd), ${r.planned} reminders: delivered / lost`, value: `${r.delivered} / ${r.lost}`, goal: '0 lost', ok: r.lost === 0 && r.settled });
      lines.push({ scenario: 'worker killed', measure: 'duplicates (in-doubt sends repeated)', value: `${r.duplicates} (${r.inDoubtRepeats}), ${(r.duplicates / r.kills).toFixed(2)} per kill`, goal: '≤ 1 per kill', ok: r.duplicates <= r.kills });
    }
    if (o.only.includes('restart')) {
      const r = await serverRestart({ tasks: 20, downSec: o.down, bundle, keys, log });
      results.serverRestart = r;
      lines.push({ scenario: 'server restarted', measure: `down ${o.down} s: schedules kept / changed`, value: `${r.schedulesAfter}/${r.schedulesBefore} / ${r.schedulesChanged}`, goal: 'all, 0', ok: r.schedulesAfter === r.schedulesBefore && r.schedulesChanged === 0 });
      lines.push({ scenario: 'server restarted', measure: 'tasks kept; cycle triggered before the stop opened', value: `${r.tasksAfter}/${r.tasksBefore}; ${r.cycleOpened} tasks`, goal: 'all', ok: r.tasksAfter === r.tasksBefore && r.cycleOpened === 25 });
      lines.push({ scenario: 'server restarted', measure: 'reminders delivered (one due while down); overdue fired', value: `${r.remindersDelivered}/${r.remindersPlanned}; ${r.overdueFired}/${r.tasksBefore}`, goal: 'all', ok: r.remindersDelivered === r.remindersPlanned && r.overdueFired === r.tasksBefore });
      lines.push({ scenario: 'server restarted', measure: 'worker restarts needed', value: String(r.workerRestartsNeeded), goal: '0', ok: r.workerRestartsNeeded === 0 });
    }
    if (o.only.includes('outage')) {
      const r = await smtpOutage({ tasks: o.outageHerd, outageSec: o.outage, bundle, keys, log });
      results.smtpOutage = r;
      lines.push({ scenario: 'SMTP outage', measure: `sink down ${r.outageSec} s, ${r.planned} reminders: lost / duplicates`, value: `${r.lost} / ${r.duplicates}`, goal: '0 / 0', ok: r.lost === 0 && r.duplicates === 0 && r.settled });
      lines.push({ scenario: 'SMTP outage', measure: 'last reminder accepted after its planned instant', value: `${r.lastLateSec.toFixed(0)} s` });
    }
    if (o.only.includes('input')) {
      const tallies = await runInputFuzz({ cases: o.cases, seed: o.seed, dir: path.join(work, 'fuzz'), keys, log });
      results.badInput = tallies;
      for (const t of tallies) {
        lines.push({
          scenario: 'bad input',
          measure: `${t.input}: ${t.cases} cases (${t.refused} refused, ${t.accepted} accepted): crashes / partial writes / unplaced errors`,
          value: `${t.crashes} / ${t.partialWrites} / ${t.unplaced}`,
          goal: '0 / 0 / 0',
          ok: t.crashes === 0 && t.partialWrites === 0 && t.unplaced === 0,
        });
      }
    }
    if (o.only.includes('privacy')) {
      const r = await privacy({ bundle, keys, log });
      results.privacy = r;
      lines.push({
        scenario: 'privacy',
        measure: `canary ${r.canaries.join(' + ')}: ${r.workflowsScanned} histories (${r.eventsScanned} events), ${r.filesScanned} files, ${r.cliOutputsScanned} CLI outputs`,
        value: `${r.findings.reduce((n, f) => n + f.count, 0)} plain`,
        goal: '0',
        ok: r.findings.length === 0,
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  printTable(lines);
  const after = { load: load(), neighbours: busyNeighbours([]) };
  process.stdout.write(`\nmachine: ${cores()} cores; load before ${before.load}, after ${after.load}\n`);
  const failed = lines.filter((l) => l.ok === false);
  const out = path.join(REPO_ROOT, 'artifacts', 'bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'faults-latest.json'), JSON.stringify({ at: new Date().toISOString(), options: o, before, after, results, table: lines }, null, 2));
  if (failed.length > 0) {
    process.stdout.write(`${failed.length} check(s) failed; details in artifacts/bench/faults-latest.json\n`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
