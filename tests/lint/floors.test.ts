import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The floor rule (eslint.floors.mjs) as `npm run lint` applies it: a real file's text is replaced, in memory only, by
 * one import, and ESLint with the project's own config says whether that import may stand there.
 */
const root = path.resolve(__dirname, '../..');

const LINT_IN_MEMORY = `
const { ESLint } = require('eslint');
const path = require('node:path');
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of JSON.parse(require('node:fs').readFileSync(0, 'utf8'))) {
    const [result] = await eslint.lintText(code, { filePath: path.resolve(file) });
    out.push(result.messages.filter((m) => m.ruleId === 'boundaries/dependencies').length);
  }
  process.stdout.write('FLOORS ' + JSON.stringify(out) + '\\n');
})();
`;

function floorErrorCounts(cases: [file: string, code: string][]): number[] {
  const run = spawnSync(process.execPath, ['-e', LINT_IN_MEMORY], { cwd: root, input: JSON.stringify(cases), encoding: 'utf8' });
  const line = run.stdout.split('\n').find((l) => l.startsWith('FLOORS '));
  if (!line) throw new Error(`eslint did not answer: ${run.stderr}`);
  return JSON.parse(line.slice('FLOORS '.length)) as number[];
}

const importing = (symbol: string, from: string) => `import { ${symbol} } from '${from}';\nexport const x = ${symbol};\n`;

const climbs: [what: string, file: string, code: string][] = [
  ['the core reaching into a feature', 'src/catalog/parse.ts', importing('householdState', '../households/client')],
  ['the roster importing the catalog', 'src/roster/orgTree.ts', importing('dutySchema', '../catalog/schema')],
  ['an adapter importing a service', 'src/notify/robots.ts', importing('describeError', '../services/describeError')],
  ['a contract importing a workflow', 'src/contracts/dutyTask.ts', importing('dutyTask', '../../workflows/task')],
  ['an activity importing a workflow by value', 'activities/tasks.ts', importing('dutyTask', '../workflows/task')],
  ['the named errors importing the config', 'src/errors.ts', importing('settings', './config')],
  ['the config importing the core', 'src/config.ts', importing('OrgTree', './roster/orgTree')],
  ['a workflow importing its activities by value', 'workflows/rounds.ts', importing('createActivities', '../activities')],
  ['the worker importing a service', 'worker.ts', importing('describeError', './src/services/describeError')],
];

const descents: [what: string, file: string, code: string][] = [
  ['a face importing a service', 'src/cli/main.ts', importing('describeError', '../services/describeError')],
  ['a workflow importing its activities as types', 'workflows/rounds.ts', "import type * as activities from '../activities';\nexport type X = activities.Activities;\n"],
  ['an adapter importing the core', 'src/notify/routing.ts', importing('OrgTree', '../roster/orgTree')],
  ['the core importing a contract', 'src/catalog/parse.ts', importing('TASK_WORKFLOW_TYPE', '../contracts/dutyTask')],
];

describe('floors', () => {
  const counts = floorErrorCounts([...climbs, ...descents].map(([, file, code]) => [file, code]));

  test.each(climbs.map(([what], i) => [what, i] as const))('%s fails lint', (_what, i) => {
    expect(counts[i]).toBe(1);
  });

  test.each(descents.map(([what], i) => [what, climbs.length + i] as const))('%s passes', (_what, i) => {
    expect(counts[i]).toBe(0);
  });
});
