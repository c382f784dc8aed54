import path from 'node:path';
import { parseDuties } from '../../src/catalog/parse';
import { CatalogError } from '../../src/errors';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { appendLines, caught, DUTY_YAML, issueAt } from '../catalog/fixtures';

const FILE = 'duties/sample.yaml';
/** DUTY_YAML with a completion whose `attachments` line is line 11. */
const withAttachments = (spec: string) => appendLines(DUTY_YAML, '    completion:', '      note: optional', `      attachments: ${spec}`);

test('a duty may ask for evidence; required defaults to one file of any kind, optional to none', () => {
  expect(parseDuties(withAttachments('{ required: true, min: 2, kinds: [image, pdf] }'), FILE)[0]?.completion.attachments).toEqual({ required: true, min: 2, kinds: ['image', 'pdf'] });
  expect(parseDuties(withAttachments('{ required: true }'), FILE)[0]?.completion.attachments).toEqual({ required: true, min: 1, kinds: ['image', 'pdf', 'xlsx', 'docx'] });
  expect(parseDuties(withAttachments('{ kinds: [image] }'), FILE)[0]?.completion.attachments).toEqual({ required: false, min: 0, kinds: ['image'] });
  expect(parseDuties(DUTY_YAML, FILE)[0]?.completion.attachments).toBeUndefined();
});

test('a phase asks for its own evidence', () => {
  const phased = appendLines(
    DUTY_YAML,
    '    phases:',
    '      - id: summary',
    '        title: 总结',
    '        deadline: { day: 15 }',
    '        completion: { attachments: { required: true, kinds: [docx, pdf] } }',
  );
  expect(parseDuties(phased, FILE)[0]?.phases?.[0]?.completion?.attachments).toEqual({ required: true, min: 1, kinds: ['docx', 'pdf'] });
});

test.each([
  ['min 0 on a required spec', '{ required: true, min: 0 }', 'min', 'required: true 时 min 至少为 1'],
  ['more files than one step may carry', '{ required: true, min: 11 }', 'min', '不能超过 10 (每次提交最多 10 个附件)'],
  ['min on an optional spec, which would be ignored', '{ min: 2 }', 'min', 'min 只在 required: true 时生效'],
  ['no kinds', '{ required: true, kinds: [] }', 'kinds', '至少列出一种附件类型'],
  ['a kind that is not one of the four', '{ kinds: [image, zip] }', 'kinds[1]', '附件类型必须是 image / pdf / xlsx / docx 之一'],
  ['a kind twice', '{ kinds: [pdf, pdf] }', 'kinds[1]', '附件类型重复'],
  ['an unknown key', '{ required: true, maxSize: 5 }', 'maxSize', '未知字段'],
])('refused: %s', async (_name, spec, at, message) => {
  const err = await caught(CatalogError, () => parseDuties(withAttachments(spec), FILE));
  expect(issueAt(err.issues, `duties[0].completion.attachments.${at}`, message)).toMatchObject({ file: FILE, line: 11 });
});

test('the default catalog asks the monthly micro-credit check for its arrears list as Excel or PDF', async () => {
  const catalog = await loadCatalog(path.resolve(__dirname, '../../catalog/default'));
  const asking = catalog.duties.filter((d) => [d.completion, ...(d.phases ?? []).map((p) => p.completion)].some((c) => c?.attachments));
  expect(asking.map((d) => [d.id, d.completion.attachments])).toEqual([['micro-credit-overdue-check', { required: true, min: 1, kinds: ['xlsx', 'pdf'] }]]);
});
