import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppendLog } from '../../src/store/appendLog';
import { SA } from '../../src/shared/searchAttributes';
import { visibilityQuery } from '../../src/tasks/visibilityQuery';

/** The pieces the dashboard's counts are built from: the query clauses it adds, and reading the audit log onwards. */

test('numbers are written bare, NOT IN lists its values, and a narrowing becomes one clause no index can serve', () => {
  const q = visibilityQuery()
    .eq(SA.unit, 'v-pine')
    .narrowedBy(visibilityQuery().in(SA.status, ['open', 'overdue']).gte(SA.escalationLevel, 2))
    .notIn(SA.unit, ["o'brien"]);
  expect(q.build()).toBe(
    "DutyUnit = 'v-pine' AND ((DutyStatus IN ('open', 'overdue') AND DutyEscalationLevel >= 2) OR StartTime < '1970-01-02T00:00:00.000Z') AND DutyUnit NOT IN ('o''brien')",
  );
  expect(() => visibilityQuery().gte(SA.escalationLevel, Number.NaN)).toThrow(RangeError);
  expect(() => visibilityQuery().notIn(SA.unit, [])).toThrow(RangeError);
});

test('an append log read onwards from an offset returns each whole line once and leaves a torn one for later', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-log-'));
  try {
    const log = new AppendLog<{ n: number }>(path.join(dir, 'log.jsonl'));
    expect(log.readFrom(0)).toEqual({ records: [], next: 0 });
    log.append({ n: 1 });
    log.append({ n: 2 });
    const first = log.readFrom(0);
    expect(first.records).toEqual([{ n: 1 }, { n: 2 }]);
    appendFileSync(log.file, '{"n": 3');
    const second = log.readFrom(first.next);
    expect(second).toEqual({ records: [], next: first.next });
    appendFileSync(log.file, '}\n');
    expect(log.readFrom(second.next).records).toEqual([{ n: 3 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
