import { runInputFuzz } from '../../bench/faults/inputFuzz';
import { privacy } from '../../bench/faults/privacy';
import { faultKit, type FaultKit } from './support';
import path from 'node:path';

let kit: FaultKit;
beforeAll(async () => {
  kit = await faultKit();
});
afterAll(() => kit?.cleanup());

// A fixed seed keeps the cases the same from run to run; `npm run faults` runs 1,000 per input.
test('fuzzed catalog, roster, household CSV and HTTP input: no crash, no partial write, every error names its place', async () => {
  const tallies = await runInputFuzz({ cases: 25, seed: 42, dir: path.join(kit.dir, 'fuzz'), keys: kit.keys, log: kit.log });
  expect(tallies.map((t) => t.input)).toEqual(['catalog duties/*.yaml', 'roster.yaml', 'household CSV', 'HTTP API (POST routes)']);
  for (const t of tallies) {
    expect({ input: t.input, crashes: t.crashes, partialWrites: t.partialWrites, unplaced: t.unplaced, examples: t.examples }).toEqual({
      input: t.input,
      crashes: 0,
      partialWrites: 0,
      unplaced: 0,
      examples: [],
    });
    expect(t.refused).toBeGreaterThan(0);
  }
}, 240_000);

test('a canary household name and ID number appear nowhere in plain: Temporal, logs, outbox, ledger, CLI output', async () => {
  const r = await privacy({ bundle: kit.bundle, keys: kit.keys, log: kit.log });
  expect(r.reached).toEqual(expect.arrayContaining(['household import', 'revisit task notified the village (outbox)', 'refused CSV rows', 'refused roster']));
  expect(r.workflowsScanned).toBeGreaterThan(0);
  expect(r.findings).toEqual([]);
}, 240_000);
