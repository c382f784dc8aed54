import Table from 'cli-table3';

export interface Line {
  scenario: string;
  measure: string;
  value: string;
  goal?: string;
  /** Undefined when the figure has no goal. */
  ok?: boolean;
}

/** Plain ASCII borders, so the table pastes into the README and issue notes unchanged. */
export function printTable(lines: Line[], out: NodeJS.WritableStream = process.stdout): void {
  const table = new Table({
    head: ['scenario', 'measure', 'value', 'goal', ''],
    style: { head: [], border: [] },
    chars: { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const l of lines) table.push([l.scenario, l.measure, l.value, l.goal ?? '', l.ok === undefined ? '' : l.ok ? 'ok' : 'SHORT']);
  out.write(`${table.toString()}\n`);
}
