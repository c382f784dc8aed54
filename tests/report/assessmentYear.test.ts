import { DateTime } from 'luxon';
import { runCountyYear, type YearResult } from '../../bench/scenarios/countyYear';
import type { TaskState } from '../../src/contracts/dutyTask';
import { ZONE } from '../../src/shared/zone';
import { faultKit, type FaultKit } from '../faults/support';

/**
 * The county-year bench, on a small county: a simulated year on the time-skipping server ends with the 考核 table
 * printed, and two units' scores are worked out again here from nothing but their tasks' events, with the default
 * rules written out by hand.
 */

let kit: FaultKit;
let result: YearResult;
const printed: string[] = [];

beforeAll(async () => {
  kit = await faultKit();
  result = await runCountyYear(
    kit.bundle,
    kit.keys,
    { households: 0, lateShare: 0.25, neverShare: 0.15, cache: 2000, shape: { townships: 2, villages: 4, departments: 2 }, keepStates: true },
    (line) => printed.push(line),
  );
}, 600_000);

afterAll(() => kit?.cleanup());

/** 100; a late task −2 and −1 per level it reached; a task never done −5 and −1 per level; waived ones not counted. */
function byHand(states: TaskState[], unitId: string, year: number, asOf: number): number {
  let score = 100;
  for (const s of states) {
    const due = Date.parse(s.dueAt);
    if (s.assignee.unitId !== unitId || DateTime.fromMillis(due, { zone: ZONE }).year !== year) continue;
    if (s.status === 'waived' || s.status === 'review') continue;
    // Nothing is extended or returned in the simulation, so every level a task reached counts.
    const level = Math.max(0, ...s.events.filter((e) => e.action === 'escalated').map((e) => Number(e.detail?.replace('level ', ''))));
    if (s.status === 'done' && Date.parse(s.completion?.at ?? '') > due) score -= 2 + level;
    if ((s.status === 'open' || s.status === 'overdue') && due < asOf) score -= 5 + level;
  }
  return score;
}

test('a simulated year prints the score table; two units recomputed by hand from their events', () => {
  const table = printed.find((l) => l.includes('年度职责落实考核')) ?? '';
  expect(table).toMatch(/乡镇\/街道\(2 个\)[\s\S]*村\/社区\(4 个\)[\s\S]*市直行业部门\(2 个\)/);
  expect(result.scores).toHaveLength(8);

  const states = result.states ?? [];
  const asOf = Date.parse(result.assessedAt);
  // The village that lost most, and the first department.
  const village = result.scores.filter((u) => u.kind === 'village').sort((a, b) => a.score - b.score)[0];
  const department = result.scores.find((u) => u.kind === 'department');
  for (const unit of [village, department]) {
    expect({ unit: unit?.unitId, score: unit?.score }).toEqual({ unit: unit?.unitId, score: byHand(states, unit?.unitId ?? '', result.year, asOf) });
  }
  // The simulated county did lose points: some tasks were late or never done.
  expect(village?.score).toBeLessThan(100);
  expect(table).toContain(`${village?.score}`);
});
