import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The faces (CLI and HTTP) reach households, accounts and roll-ups only through src/services, where changes are
 * audited. Types and pure formatting helpers may still be imported; anything that reads or writes the state may not.
 */
const root = path.resolve(__dirname, '../..');
const FACES = ['src/cli', 'src/http'];

/** Module (path tail) → names a face must not import by value; `*` means none at all. */
const CLOSED: Record<string, string[]> = {
  'households/client': ['*'],
  'households/importer': ['*'],
  'auth/accounts': ['*'],
  'report/cycle': ['*'],
  'report/target': ['*'],
  'report/figures': ['*'],
  'contracts/household': ['clearRiskUpdate', 'riskFoundUpdate', 'riskReturnedUpdate', 'upsertHouseholdUpdate', 'householdWorkflowId'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** `file: name from module` for every value import (not `import type`, not `type X`) of a closed module. */
function breaches(file: string, text = readFileSync(file, 'utf8')): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?([^'";]*?)\s+from\s+'([^']+)'/g)) {
    const [, typeOnly, clause = '', from = ''] = m;
    const closed = Object.entries(CLOSED).find(([mod]) => from.endsWith(`/${mod}`))?.[1];
    if (!closed || typeOnly) continue;
    const names = clause
      .replace(/[{}]/g, '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0] ?? n);
    for (const name of names) if (closed.includes('*') || closed.includes(name)) out.push(`${path.relative(root, file)}: ${name} from ${from}`);
  }
  return out;
}

test('no face imports a household, account or roll-up adapter by value', () => {
  const all = FACES.flatMap((d) => files(path.join(root, d)));
  expect(all.length).toBeGreaterThan(20);
  expect(all.flatMap((f) => breaches(f))).toEqual([]);
});

test('the check sees a value import and lets types through', () => {
  const sample = [
    "import { AccountStore } from '../../auth/accounts';",
    "import type { CycleRollup } from '../../report/cycle';",
    "import { type HouseholdState, clearRiskUpdate } from '../../contracts/household';",
    "import { formatCycle } from '../../report/rollupFormat';",
  ].join('\n');
  expect(breaches(path.join(root, 'src/cli/commands/sample.ts'), sample)).toEqual([
    'src/cli/commands/sample.ts: AccountStore from ../../auth/accounts',
    'src/cli/commands/sample.ts: clearRiskUpdate from ../../contracts/household',
  ]);
});
