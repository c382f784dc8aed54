import { parseRoster } from '../../src/roster/parse';
import { RosterError } from '../../src/errors';
import { caught, issueAt, replaceLine, ROSTER_YAML } from '../catalog/fixtures';

const FILE = 'catalog/test/roster.yaml';

interface Case {
  name: string;
  yaml: string;
  path: string;
  line: number;
  message: string;
}

/** Lines of ROSTER_YAML: bureau 2–5, t-east 6–10, v-pine 11–16, people 17, p-admin 18, p-lead 19, p-east-sup 20, p-pine-1 21. */
const cases: Case[] = [
  {
    name: 'unknown field in a unit',
    yaml: replaceLine(ROSTER_YAML, 16, '    colour: green'),
    path: 'units[2].colour',
    line: 16,
    message: '未知字段',
  },
  {
    name: 'unknown unit kind',
    yaml: replaceLine(ROSTER_YAML, 13, '    kind: county'),
    path: 'units[2].kind',
    line: 13,
    message: '单位类型必须是 bureau / township / village / department 之一',
  },
  {
    name: 'tag not kebab-case',
    yaml: replaceLine(ROSTER_YAML, 16, '    tags: [Key Village]'),
    path: 'units[2].tags[0]',
    line: 16,
    message: 'kebab-case',
  },
  {
    name: 'duplicate unit id',
    yaml: replaceLine(ROSTER_YAML, 11, '  - id: t-east'),
    path: 'units[2].id',
    line: 11,
    message: '单位编号重复 (与 units[1] 相同)',
  },
  {
    name: 'duplicate person id',
    yaml: replaceLine(ROSTER_YAML, 21, '  - { id: p-lead, name: 村干部丁, unit: v-pine, roles: [cadre] }'),
    path: 'people[3].id',
    line: 21,
    message: '人员编号重复',
  },
  {
    name: 'parent cycle',
    yaml: replaceLine(ROSTER_YAML, 9, '    parent: v-pine'),
    path: 'units[1].parent',
    line: 9,
    message: '上级关系形成环: t-east → v-pine → t-east',
  },
  {
    name: 'unit is its own parent',
    yaml: replaceLine(ROSTER_YAML, 14, '    parent: v-pine'),
    path: 'units[2].parent',
    line: 14,
    message: '上级关系形成环: v-pine → v-pine',
  },
  {
    name: 'unknown parent',
    yaml: replaceLine(ROSTER_YAML, 14, '    parent: t-west'),
    path: 'units[2].parent',
    line: 14,
    message: '找不到单位 "t-west"',
  },
  {
    name: 'village directly under the bureau',
    yaml: replaceLine(ROSTER_YAML, 14, '    parent: bureau'),
    path: 'units[2].parent',
    line: 14,
    message: '村/社区的上级必须是镇/街道',
  },
  {
    name: 'missing parent points at the unit',
    yaml: replaceLine(ROSTER_YAML, 9, '    tags: []'),
    path: 'units[1].parent',
    line: 6,
    message: '缺少上级单位',
  },
  {
    name: 'bureau with a parent',
    yaml: replaceLine(ROSTER_YAML, 5, '    parent: t-east'),
    path: 'units[0].parent',
    line: 5,
    message: '市局 (bureau) 不能有上级单位',
  },
  {
    name: 'a second bureau',
    yaml: replaceLine(ROSTER_YAML, 8, '    kind: bureau'),
    path: 'units[1].kind',
    line: 8,
    message: '只能有一个 bureau 单位',
  },
  {
    name: 'unknown supervisor',
    yaml: replaceLine(ROSTER_YAML, 15, '    supervisors: [p-east-sup, p-nobody]'),
    path: 'units[2].supervisors[1]',
    line: 15,
    message: '找不到人员 "p-nobody"',
  },
  {
    name: 'supervisor without the role',
    yaml: replaceLine(ROSTER_YAML, 15, '    supervisors: [p-pine-1]'),
    path: 'units[2].supervisors[0]',
    line: 15,
    message: '没有 supervisor 或 admin 角色',
  },
  {
    name: 'person in an unknown unit',
    yaml: replaceLine(ROSTER_YAML, 21, '  - { id: p-pine-1, name: 村干部丁, unit: v-nowhere, roles: [cadre] }'),
    path: 'people[3].unit',
    line: 21,
    message: '找不到单位 "v-nowhere"',
  },
  {
    name: 'person without roles',
    yaml: replaceLine(ROSTER_YAML, 21, '  - { id: p-pine-1, name: 村干部丁, unit: v-pine, roles: [] }'),
    path: 'people[3].roles',
    line: 21,
    message: '至少需要一个角色',
  },
  {
    name: 'bad email',
    yaml: replaceLine(ROSTER_YAML, 19, '  - { id: p-lead, name: 领导乙, unit: bureau, roles: [supervisor], email: lead-at-example.org }'),
    path: 'people[1].email',
    line: 19,
    message: '邮箱格式不正确',
  },
  {
    name: 'bad channel',
    yaml: replaceLine(ROSTER_YAML, 19, '  - { id: p-lead, name: 领导乙, unit: bureau, roles: [supervisor], channel: sms }'),
    path: 'people[1].channel',
    line: 19,
    message: '通知渠道必须是 email / outbox / wecom / dingtalk 之一',
  },
  {
    name: 'email channel without an address',
    yaml: replaceLine(ROSTER_YAML, 19, '  - { id: p-lead, name: 领导乙, unit: bureau, roles: [supervisor], channel: email }'),
    path: 'people[1].email',
    line: 19,
    message: '必须填写邮箱',
  },
  {
    name: 'no administrator',
    yaml: replaceLine(ROSTER_YAML, 18, '  - { id: p-admin, name: 管理员甲, unit: bureau, roles: [supervisor] }'),
    path: 'people',
    line: 17,
    message: '至少需要一名管理员',
  },
  {
    name: 'YAML syntax error',
    yaml: replaceLine(ROSTER_YAML, 12, '\tname: 松村'),
    path: '(yaml)',
    line: 12,
    message: 'YAML 语法错误',
  },
];

describe('parseRoster rejects bad rosters with file, line and field path', () => {
  it('accepts the unbroken sample and fills defaults', () => {
    const roster = parseRoster(ROSTER_YAML, FILE);
    expect(roster.units.map((u) => u.id)).toEqual(['bureau', 't-east', 'v-pine']);
    expect(roster.units[1]).toEqual({
      id: 't-east',
      name: '东镇',
      kind: 'township',
      parent: 'bureau',
      supervisors: ['p-lead'],
      tags: [],
    });
  });

  it.each(cases)('$name', async ({ yaml, path, line, message }) => {
    const error = await caught(RosterError, () => parseRoster(yaml, FILE));
    const issue = issueAt(error.issues, path, message);
    expect(issue.message).toContain(message);
    expect(issue).toMatchObject({ file: FILE, line });
  });

  it('reports several problems at once, and no spurious ones for a unit that is merely malformed', async () => {
    let yaml = replaceLine(ROSTER_YAML, 13, '    kind: county'); // v-pine malformed
    yaml = replaceLine(yaml, 10, '    supervisors: [p-ghost]');
    yaml = replaceLine(yaml, 19, '  - { id: p-lead, name: 领导乙, unit: bureau, roles: [boss] }');
    const error = await caught(RosterError, () => parseRoster(yaml, FILE));
    expect(error.issues.map((i) => [i.line, i.path])).toEqual([
      [10, 'units[1].supervisors[0]'],
      [13, 'units[2].kind'],
      [19, 'people[1].roles[0]'],
    ]);
    // p-pine-1 still belongs to v-pine: a malformed unit keeps its id.
    expect(error.message).not.toContain('找不到单位 "v-pine"');
  });
});
