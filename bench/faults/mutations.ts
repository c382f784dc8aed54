import fc from 'fast-check';

/** Values an administrator (or a broken export) might put where a scalar belongs. */
const weird = fc.oneof(
  fc.constantFrom('~', 'null', '[]', '{}', '""', "''", '-1', '0', '3.5', '99999999999999999999', '1e309', '.nan', '.inf', 'yes', 'no', '!!binary aGk=', '*nowhere',
    '&a x', '"\\u0000"', '2026-02-30', '25:61', '9:00', '{ kind: weekly }', '[[[', '\t', '｛', '430981199001011237', '=cmd|calc', '<script>', '%00', '…'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
);

export type Mutation =
  | { op: 'deleteLine' | 'dupLine' | 'truncate'; at: number }
  | { op: 'setValue'; at: number; value: string }
  | { op: 'insertKey'; at: number; key: string; value: string; indent: number }
  | { op: 'indent'; at: number; delta: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'replaceAll'; text: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('deleteLine' as const, 'dupLine' as const, 'truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('setValue' as const), at: fc.nat(), value: weird }),
  fc.record({ op: fc.constant('insertKey' as const), at: fc.nat(), key: fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/), value: weird, indent: fc.nat(8) }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('replaceAll' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }),
);

/** One to three edits of a text file, line-wise; `separator` is ',' for CSV values, ': ' for YAML. */
export function applyMutations(text: string, muts: Mutation[], separator: ': ' | ','): string {
  let lines = text.split('\n');
  for (const m of muts) {
    const n = Math.max(lines.length, 1);
    switch (m.op) {
      case 'deleteLine':
        lines.splice(m.at % n, 1);
        break;
      case 'dupLine':
        lines.splice(m.at % n, 0, lines[m.at % n] ?? '');
        break;
      case 'truncate':
        lines = lines.join('\n').slice(0, m.at % Math.max(text.length, 1)).split('\n');
        break;
      case 'setValue': {
        const i = m.at % n;
        const line = lines[i] ?? '';
        if (separator === ',') {
          const cells = line.split(',');
          cells[m.at % Math.max(cells.length, 1)] = m.value;
          lines[i] = cells.join(',');
        } else {
          const cut = line.indexOf(': ');
          lines[i] = cut >= 0 ? `${line.slice(0, cut + 2)}${m.value}` : `${line}${m.value}`;
        }
        break;
      }
      case 'insertKey':
        lines.splice(m.at % n, 0, separator === ',' ? `${m.key},${m.value}` : `${' '.repeat(m.indent)}${m.key}: ${m.value}`);
        break;
      case 'indent': {
        const i = m.at % n;
        const line = lines[i] ?? '';
        lines[i] = m.delta >= 0 ? `${' '.repeat(m.delta)}${line}` : line.replace(new RegExp(`^ {0,${-m.delta}}`), '');
        break;
      }
      case 'swap': {
        const a = m.a % n;
        const b = m.b % n;
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        break;
      }
      case 'replaceAll':
        lines = m.text.split('\n');
        break;
    }
  }
  return lines.join('\n');
}
