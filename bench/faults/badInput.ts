import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { REPO_ROOT } from '../../src/config';
import { householdWorkflowId } from '../../src/contracts/household';
import { canonical } from '../lib/stats';
import { benchHousehold } from '../scenarios/households';
import { runCli, type CliResult } from './cli';
import { applyMutations, mutation, type Mutation } from './mutations';

export interface FuzzTally {
  input: string;
  cases: number;
  accepted: number;
  refused: number;
  crashes: number;
  partialWrites: number;
  unplaced: number;
  /** First few failing cases, for the note. */
  examples: string[];
}

export interface FuzzEnv {
  client: Client;
  /** Environment the CLI runs with: TEMPORAL_ADDRESS, DUTY_TASK_QUEUE, DUTY_DATA_DIR, DUTY_PAYLOAD_KEY … */
  cliEnv: Record<string, string>;
  dir: string;
  seed: number;
}

const tally = (input: string): FuzzTally => ({ input, cases: 0, accepted: 0, refused: 0, crashes: 0, partialWrites: 0, unplaced: 0, examples: [] });

function note(t: FuzzTally, what: string, muts: unknown, r: CliResult): void {
  if (t.examples.length < 5) t.examples.push(`${what}: ${JSON.stringify(muts).slice(0, 300)} → exit ${r.code} ${(r.thrown ?? r.err).slice(0, 300)}`);
}

/** A run that did not succeed: exit 2 is a refusal, which must change nothing and name the place; anything else is a crash. */
function tallyRefusal(t: FuzzTally, r: CliResult, muts: unknown, partialWrite: string | undefined, fileNames: string[]): void {
  if (r.code !== 2) {
    t.crashes += 1;
    note(t, 'crash', muts, r);
    return;
  }
  t.refused += 1;
  if (partialWrite) {
    t.partialWrites += 1;
    note(t, partialWrite, muts, r);
  }
  if (!namesPlace(r.err, fileNames)) {
    t.unplaced += 1;
    note(t, 'error does not name the place', muts, r);
  }
}

/**
 * "Names the place": every reported problem points at a file of the input and at a line or a field in it.
 * Problems are the `  - ` bullets of a ValidationError; a message without bullets must still name the file.
 */
export function namesPlace(stderr: string, fileNames: string[]): boolean {
  const bullets = stderr.split('\n').filter((l) => l.startsWith('  - '));
  const namesFile = (l: string) => fileNames.some((f) => l.includes(f));
  if (bullets.length === 0) return namesFile(stderr);
  return bullets.every((l) => namesFile(l) && (/第 \d+ 行/.test(l) || /\S: /.test(l)));
}

/** Everything `duty apply` can change: the engine's schedules as listed, and how many workflows exist. */
async function temporalImage(client: Client): Promise<string> {
  const schedules: string[] = [];
  for await (const s of client.schedule.list()) schedules.push(canonical({ id: s.scheduleId, spec: s.spec, memo: s.memo, paused: s.state.paused, note: s.state.note }));
  const { count } = await client.workflow.count('');
  return JSON.stringify({ schedules: schedules.sort(), workflows: count });
}

/** Fuzzes one file of a catalog folder (a duties file or the roster) through `duty apply`. */
export async function fuzzCatalog(env: FuzzEnv, target: 'duties' | 'roster', cases: number): Promise<FuzzTally> {
  const t = tally(target === 'roster' ? 'roster.yaml' : 'catalog duties/*.yaml');
  const base = path.join(REPO_ROOT, 'catalog', 'default');
  const dutyFiles = readdirSync(path.join(base, 'duties')).filter((f) => f.endsWith('.yaml')).sort();
  const applied = await runCli(['apply', base], env.cliEnv);
  if (applied.code !== 0) throw new Error(`baseline apply failed: ${applied.err}`);
  const samples = fc.sample(fc.tuple(fc.nat(dutyFiles.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 })), { numRuns: cases, seed: env.seed });
  for (const [k, [fileIndex, muts]] of samples.entries()) {
    const dir = path.join(env.dir, `${target}-${k}`);
    cpSync(base, dir, { recursive: true });
    const rel = target === 'roster' ? 'roster.yaml' : path.join('duties', dutyFiles[fileIndex] ?? '');
    writeFileSync(path.join(dir, rel), applyMutations(readFileSync(path.join(base, rel), 'utf8'), muts, ': '));
    const before = await temporalImage(env.client);
    const r = await runCli(['apply', dir], env.cliEnv);
    const after = await temporalImage(env.client);
    t.cases += 1;
    if (r.code === 0) {
      t.accepted += 1;
      // Accepted means all of it: a second plan of the same folder has nothing left to do.
      const plan = await runCli(['plan', dir], env.cliEnv);
      if (!/更新 0,删除 0/.test(plan.out) || !/新建 0/.test(plan.out)) {
        t.partialWrites += 1;
        note(t, 'accepted but not fully applied', muts, plan);
      }
      const restore = await runCli(['apply', base], env.cliEnv);
      if (restore.code !== 0) throw new Error(`restoring the baseline failed: ${restore.err}`);
    } else {
      tallyRefusal(t, r, muts, after !== before ? 'refused but Temporal changed' : undefined, [dir, 'roster.yaml', ...dutyFiles]);
    }
  }
  return t;
}

const CSV_HEADER = '户编号,户主姓名,身份证号,所在村,监测类型,风险类型,识别日期,风险消除日期';

function csvRow(h: ReturnType<typeof benchHousehold>): string {
  return [h.householdId, h.headName, h.idNumber, h.villageId, h.monitoringType, h.riskTypes.join('、'), h.identifiedOn, h.riskClearedOn ?? ''].join(',');
}

/** Does a household exist in Temporal? Asked of persistence, not visibility, so a write is seen at once. */
async function exists(client: Client, householdId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(householdWorkflowId(householdId)).describe();
    return true;
  } catch {
    return false;
  }
}

/** Fuzzes the household CSV import: a refused file writes no household at all, an accepted one writes every row. */
export async function fuzzHouseholdCsv(env: FuzzEnv, villages: string[], asOf: string, cases: number): Promise<FuzzTally> {
  const t = tally('household CSV');
  const samples = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: cases, seed: env.seed + 1 });
  mkdirSync(env.dir, { recursive: true });
  for (const [k, muts] of samples.entries()) {
    const rows = Array.from({ length: 4 }, (_, i) => ({ ...benchHousehold(k * 10 + i, villages[(k + i) % villages.length] ?? '', asOf), householdId: `FZ${k}-${i}` }));
    const file = path.join(env.dir, `households-${k}.csv`);
    writeFileSync(file, applyMutations([CSV_HEADER, ...rows.map(csvRow)].join('\n'), muts as Mutation[], ','));
    // Any id the mutated file could name: ours, plus whatever a cell now holds.
    const ids = new Set<string>(rows.map((r) => r.householdId));
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) ids.add(line.split(',')[0] ?? '');
    ids.delete('');
    const r = await runCli(['household', 'import', file, '--json'], env.cliEnv);
    t.cases += 1;
    const written = (await Promise.all([...ids].filter((id) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(id)).map((id) => exists(env.client, id)))).filter(Boolean).length;
    if (r.code === 0) {
      t.accepted += 1;
      // Accepted means every row: each names a household of its own, and each now exists.
      const summary = JSON.parse(r.out) as { rows: number };
      if (written !== summary.rows) {
        t.partialWrites += 1;
        note(t, `accepted ${summary.rows} rows but ${written} households exist`, muts, r);
      }
    } else {
      tallyRefusal(t, r, muts, written > 0 ? 'refused but households written' : undefined, [path.basename(file)]);
    }
  }
  return t;
}
