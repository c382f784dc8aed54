import { join } from 'node:path';
import { loadCatalog } from '../../src/sources/catalogFiles';
import { CatalogError, RosterError } from '../../src/errors';
import { appendLines, caught, catalogDir, DUTY_YAML, issueAt, replaceLine, ROSTER_YAML } from './fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

async function dirWith(files: Record<string, string>): Promise<string> {
  const { dir, cleanup } = await catalogDir(files);
  cleanups.push(cleanup);
  return dir;
}

/** DUTY_YAML with its assignment (line 7) replaced. */
const assigned = (assignTo: string) => replaceLine(DUTY_YAML, 7, `    assignTo: ${assignTo}`);

describe('loadCatalog', () => {
  it('loads .yaml and .yml files, ignoring other files', async () => {
    const second = replaceLine(DUTY_YAML, 2, '  - id: second-duty');
    const dir = await dirWith({
      'roster.yaml': ROSTER_YAML,
      'duties/b.yml': second,
      'duties/a.yaml': DUTY_YAML,
      'duties/README.md': '# notes',
    });
    const catalog = await loadCatalog(dir);
    expect(catalog.duties.map((d) => d.id)).toEqual(['sample-duty', 'second-duty']);
    expect(catalog.roster.units).toHaveLength(3);
  });

  describe('cross-checks duties against the roster', () => {
    it.each([
      {
        name: 'unknown unit in assignTo',
        assignTo: '{ units: [v-nowhere], role: cadre, per: unit }',
        path: 'duties[0].assignTo.units[0]',
        message: '找不到单位 "v-nowhere"',
      },
      {
        name: 'assignment that reaches no unit',
        assignTo: '{ unitKinds: [department], role: liaison, per: unit }',
        path: 'duties[0].assignTo',
        message: '分派规则没有匹配到任何单位',
      },
      {
        name: 'tag no unit carries',
        assignTo: '{ unitKinds: [village], tags: [model-village], role: cadre, per: unit }',
        path: 'duties[0].assignTo.tags[0]',
        message: '没有任何单位带有标签 "model-village"',
      },
      {
        name: 'unit with no person of the role',
        assignTo: '{ unitKinds: [village, township], role: cadre, per: unit }',
        path: 'duties[0].assignTo.role',
        message: '单位 "t-east" (东镇) 没有角色为 cadre 的人员',
      },
    ])('$name', async ({ assignTo, path, message }) => {
      const dir = await dirWith({ 'roster.yaml': ROSTER_YAML, 'duties/a.yaml': assigned(assignTo) });
      const error = await caught(CatalogError, () => loadCatalog(dir));
      expect(issueAt(error.issues, path, message)).toMatchObject({ file: join(dir, 'duties', 'a.yaml'), line: 7 });
    });
  });

  it('finds duplicate duty ids across files', async () => {
    const dir = await dirWith({ 'roster.yaml': ROSTER_YAML, 'duties/a.yaml': DUTY_YAML, 'duties/b.yaml': DUTY_YAML });
    const error = await caught(CatalogError, () => loadCatalog(dir));
    expect(error.issues).toEqual([
      {
        file: join(dir, 'duties', 'b.yaml'),
        line: 2,
        column: 9,
        path: 'duties[0].id',
        value: 'sample-duty',
        message: `职责编号重复 (已在 ${join(dir, 'duties', 'a.yaml')} 第 2 行定义)`,
      },
    ]);
  });

  it('reports the problems of every file at once, roster first, with the paths the caller gave', async () => {
    const dir = await dirWith({
      'roster.yaml': replaceLine(ROSTER_YAML, 15, '    supervisors: [p-nobody]'),
      'duties/a.yaml': replaceLine(DUTY_YAML, 6, '    recurrence: { kind: monthly'),
      'duties/b.yaml': appendLines(replaceLine(DUTY_YAML, 2, '  - id: other-duty'), '    colour: red'),
    });
    expect(dir.startsWith('/')).toBe(false);
    const error = await caught(CatalogError, () => loadCatalog(dir));
    expect(error.issues.map((i) => [i.file, i.line, i.path])).toEqual([
      [join(dir, 'roster.yaml'), 15, 'units[2].supervisors[0]'],
      [join(dir, 'duties', 'a.yaml'), 7, '(yaml)'],
      [join(dir, 'duties', 'b.yaml'), 9, 'duties[0].colour'],
    ]);
    expect(error.message).toContain(`${join(dir, 'roster.yaml')} 第 15 行 units[2].supervisors[0]: 找不到人员 "p-nobody"`);
  });

  it('throws RosterError when only the roster is wrong', async () => {
    const dir = await dirWith({
      'roster.yaml': replaceLine(ROSTER_YAML, 9, '    parent: v-pine'),
      'duties/a.yaml': DUTY_YAML,
    });
    const error = await caught(RosterError, () => loadCatalog(dir));
    expect(error).not.toBeInstanceOf(CatalogError);
    expect(issueAt(error.issues, 'units[1].parent', '上级关系形成环')).toMatchObject({ line: 9 });
  });

  it('reports a missing roster and a missing duties directory', async () => {
    const noRoster = await dirWith({ 'duties/a.yaml': DUTY_YAML });
    const rosterError = await caught(RosterError, () => loadCatalog(noRoster));
    expect(rosterError.issues).toEqual([{ file: join(noRoster, 'roster.yaml'), path: '(文件)', message: '找不到名册文件' }]);

    const noDuties = await dirWith({ 'roster.yaml': ROSTER_YAML });
    const catalogError = await caught(CatalogError, () => loadCatalog(noDuties));
    expect(catalogError.issues).toEqual([{ file: join(noDuties, 'duties'), path: '(目录)', message: '找不到职责目录' }]);
  });
});
