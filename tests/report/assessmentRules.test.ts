import { join } from 'node:path';
import { ASSESSMENT_FILE, checkAssessmentText, DEFAULT_ASSESSMENT } from '../../src/catalog/assessment';
import { REPO_ROOT } from '../../src/config';
import { CatalogError } from '../../src/errors';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { caught, catalogDir, DUTY_YAML, ROSTER_YAML } from '../catalog/fixtures';

/** The 考核 rules in the catalog: `assessment.yaml`, optional, every mistake named by file, line and field in Chinese. */

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

async function catalogWith(assessment?: string): Promise<string> {
  const { dir, cleanup } = await catalogDir({ 'roster.yaml': ROSTER_YAML, 'duties/a.yaml': DUTY_YAML, ...(assessment === undefined ? {} : { [ASSESSMENT_FILE]: assessment }) });
  cleanups.push(cleanup);
  return dir;
}

test('the default catalog writes out the default rules; a catalog without the file gets them too', async () => {
  expect((await loadCatalog(join(REPO_ROOT, 'catalog', 'default'))).assessment).toEqual(DEFAULT_ASSESSMENT);
  expect((await loadCatalog(await catalogWith())).assessment).toBeUndefined();
});

test('a rule left out keeps its default; points may have two decimals', () => {
  const { rules, issues } = checkAssessmentText('assessment:\n  start: 60\n  deductions:\n    late: 1.5\n', 'assessment.yaml');
  expect(issues).toEqual([]);
  expect(rules).toEqual({ start: 60, deductions: { ...DEFAULT_ASSESSMENT.deductions, late: 1.5 } });
});

test('every mistake at once, with its line and field, and the catalog refuses to load', async () => {
  const text = ['assessment:', '  start: 0', '  deductions:', '    late: -2', '    escalationLevel: 0.125', '    returned: 一分', '    lateness: 3', ''].join('\n');
  const { rules, issues } = checkAssessmentText(text, 'assessment.yaml');
  expect(rules).toBeUndefined();
  expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
    [2, 'assessment.start', '必须大于 0'],
    [4, 'assessment.deductions.late', '不能为负数'],
    [5, 'assessment.deductions.escalationLevel', '最多两位小数'],
    [6, 'assessment.deductions.returned', '必须是数字'],
    [7, 'assessment.deductions.lateness', '未知字段'],
  ]);
  const err = await caught(CatalogError, async () => loadCatalog(await catalogWith(text)));
  expect(err.message).toMatch(/assessment\.yaml 第 4 行 assessment\.deductions\.late: 不能为负数/);
});

test('the rules must sit under `assessment:`; an empty file is refused', () => {
  expect(checkAssessmentText('start: 100\n', 'a.yaml').issues.map((i) => [i.path, i.message])).toEqual([
    ['assessment', '缺少必填字段'],
    ['start', '未知字段'],
  ]);
  expect(checkAssessmentText('', 'a.yaml').issues.map((i) => i.message)).toEqual(['文件为空']);
});
