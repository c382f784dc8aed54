import Table from 'cli-table3';
import type { Line } from './table';
import type { Target } from './target';

/**
 * One row per figure, one column per target, matched by scenario and measure: the same scenario on the dev server and
 * on the cluster, read across. A goal's verdict is given per target.
 */
export function printSideBySide(byTarget: ReadonlyMap<Target, Line[]>, out: NodeJS.WritableStream = process.stdout): void {
  const targets = [...byTarget.keys()];
  const rows = new Map<string, { scenario: string; measure: string; goal?: string; values: Map<Target, string> }>();
  for (const [target, lines] of byTarget) {
    for (const l of lines) {
      const key = `${l.scenario}\u0000${l.measure}`;
      const row = rows.get(key) ?? { scenario: l.scenario, measure: l.measure, goal: l.goal, values: new Map() };
      row.values.set(target, `${l.value}${l.ok === undefined ? '' : l.ok ? ' (ok)' : ' (SHORT)'}`);
      rows.set(key, row);
    }
  }
  const table = new Table({
    head: ['scenario', 'measure', ...targets, 'goal'],
    style: { head: [], border: [] },
    chars: { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const r of rows.values()) table.push([r.scenario, r.measure, ...targets.map((t) => r.values.get(t) ?? '—'), r.goal ?? '']);
  out.write(`${table.toString()}\n`);
}
