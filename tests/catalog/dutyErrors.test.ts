import { CatalogError } from '../../src/errors';
import { parseDuties } from '../../src/catalog/parse';
import { appendLines, caught, DUTY_YAML, issueAt, replaceLine } from './fixtures';

const FILE = 'duties/sample.yaml';

interface Case {
  name: string;
  yaml: string;
  path: string;
  line: number;
  message: string;
}

/** Each case breaks one thing in DUTY_YAML; lines 2–8 are id, title, …, deadline. */
const cases: Case[] = [
  {
    name: 'unknown field',
    yaml: appendLines(DUTY_YAML, '    colour: red'),
    path: 'duties[0].colour',
    line: 9,
    message: '未知字段',
  },
  {
    name: 'unknown field inside a nested block points at the key',
    yaml: appendLines(DUTY_YAML, '    reminders:', '      onDueDay: true', '      sendTime: "09:00"'),
    path: 'duties[0].reminders.sendTime',
    line: 11,
    message: '未知字段',
  },
  {
    name: 'wrong type',
    yaml: replaceLine(DUTY_YAML, 3, '    title: [示例, 职责]'),
    path: 'duties[0].title',
    line: 3,
    message: '必须是文本',
  },
  {
    name: 'wrong type for a flag',
    yaml: appendLines(DUTY_YAML, '    urgent: "yes"'),
    path: 'duties[0].urgent',
    line: 9,
    message: '类型错误: 应为布尔值',
  },
  {
    name: 'quoted number',
    yaml: replaceLine(DUTY_YAML, 8, '    deadline: { day: "15" }'),
    path: 'duties[0].deadline.day',
    line: 8,
    message: '必须是正整数',
  },
  {
    name: 'missing field points at the parent object',
    yaml: replaceLine(DUTY_YAML, 3, '    urgent: false'),
    path: 'duties[0].title',
    line: 2,
    message: '缺少必填字段',
  },
  {
    name: 'id not kebab-case',
    yaml: replaceLine(DUTY_YAML, 2, '  - id: Sample_Duty'),
    path: 'duties[0].id',
    line: 2,
    message: 'kebab-case',
  },
  {
    name: 'bad due time',
    yaml: appendLines(DUTY_YAML, '    dueTime: "24:30"'),
    path: 'duties[0].dueTime',
    line: 9,
    message: 'HH:mm',
  },
  {
    name: 'unquoted sexagesimal-looking time',
    yaml: appendLines(DUTY_YAML, '    dueTime: 1800'),
    path: 'duties[0].dueTime',
    line: 9,
    message: 'HH:mm',
  },
  {
    name: 'reminder outside working hours',
    yaml: appendLines(DUTY_YAML, '    reminders: { sendAt: "20:00" }'),
    path: 'duties[0].reminders.sendAt',
    line: 9,
    message: '工作时间 08:00–18:00',
  },
  {
    name: 'negative reminder offset',
    yaml: appendLines(DUTY_YAML, '    reminders: { workingDaysBefore: [3, -1] }'),
    path: 'duties[0].reminders.workingDaysBefore[1]',
    line: 9,
    message: '非负整数',
  },
  {
    name: 'bad month',
    yaml: replaceLine(
      DUTY_YAML,
      6,
      '    recurrence: { kind: seasonal, season: spring, window: { fromMonth: 13, toMonth: 5 } }',
    ),
    path: 'duties[0].recurrence.window.fromMonth',
    line: 6,
    message: '月份必须是 1–12',
  },
  {
    name: 'bad solar term',
    yaml: replaceLine(
      DUTY_YAML,
      6,
      '    recurrence: { kind: seasonal, season: spring, window: { fromTerm: 清明, toTerm: 立夏 } }',
    ),
    path: 'duties[0].recurrence.window.fromTerm',
    line: 6,
    message: '立春/立夏/立秋/立冬',
  },
  {
    name: 'months and terms mixed',
    yaml: replaceLine(
      DUTY_YAML,
      6,
      '    recurrence: { kind: seasonal, season: spring, window: { fromMonth: 2, toTerm: 立夏 } }',
    ),
    path: 'duties[0].recurrence.window',
    line: 6,
    message: '只能选一种',
  },
  {
    name: 'unknown recurrence kind',
    yaml: replaceLine(DUTY_YAML, 6, '    recurrence: { kind: weekly }'),
    path: 'duties[0].recurrence.kind',
    line: 6,
    message: '周期类型必须是',
  },
  {
    name: 'triggered without count',
    yaml: replaceLine(DUTY_YAML, 6, '    recurrence: { kind: triggered, event: risk-cleared, everyMonths: 3 }'),
    path: 'duties[0].recurrence.count',
    line: 6,
    message: '缺少必填字段',
  },
  {
    name: 'deadline day 0',
    yaml: replaceLine(DUTY_YAML, 8, '    deadline: { day: 0 }'),
    path: 'duties[0].deadline.day',
    line: 8,
    message: '正整数',
  },
  {
    name: 'monthly deadline past day 31',
    yaml: replaceLine(DUTY_YAML, 8, '    deadline: { day: 32 }'),
    path: 'duties[0].deadline.day',
    line: 8,
    message: '不能超过 31',
  },
  {
    name: 'quarterly deadline past day 92',
    yaml: replaceLine(replaceLine(DUTY_YAML, 6, '    recurrence: { kind: quarterly }'), 8, '    deadline: { day: 93 }'),
    path: 'duties[0].deadline.day',
    line: 8,
    message: '不能超过 92',
  },
  {
    name: 'both day and endOfPeriod',
    yaml: replaceLine(DUTY_YAML, 8, '    deadline: { day: 3, endOfPeriod: true }'),
    path: 'duties[0].deadline',
    line: 8,
    message: '只能给出 day',
  },
  {
    name: 'bad shift policy',
    yaml: appendLines(DUTY_YAML, '    shift: later'),
    path: 'duties[0].shift',
    line: 9,
    message: '顺延规则必须是 next-working-day / previous-working-day / none 之一',
  },
  {
    name: 'bad role',
    yaml: replaceLine(DUTY_YAML, 7, '    assignTo: { unitKinds: [village], role: chief, per: unit }'),
    path: 'duties[0].assignTo.role',
    line: 7,
    message: '角色必须是',
  },
  {
    name: 'assignment without units or kinds',
    yaml: replaceLine(DUTY_YAML, 7, '    assignTo: { role: cadre, per: unit }'),
    path: 'duties[0].assignTo',
    line: 7,
    message: '必须给出 unitKinds',
  },
  {
    name: 'tags without unit kinds',
    yaml: replaceLine(DUTY_YAML, 7, '    assignTo: { units: [v-pine], tags: [key-village], role: cadre, per: unit }'),
    path: 'duties[0].assignTo.tags',
    line: 7,
    message: '必须与 unitKinds 一起使用',
  },
  {
    name: 'no escalation level',
    yaml: appendLines(DUTY_YAML, '    escalation: { levels: [] }'),
    path: 'duties[0].escalation.levels',
    line: 9,
    message: '至少需要一个升级层级',
  },
  {
    name: 'decreasing escalation levels',
    yaml: appendLines(
      DUTY_YAML,
      '    escalation:',
      '      levels:',
      '        - afterWorkingDays: 3',
      '        - afterWorkingDays: 1',
    ),
    path: 'duties[0].escalation.levels[1].afterWorkingDays',
    line: 12,
    message: '不能小于上一级',
  },
  {
    name: 'duplicate completion field key',
    yaml: appendLines(
      DUTY_YAML,
      '    completion:',
      '      fields:',
      '        - { key: households, label: 户数, type: integer }',
      '        - { key: households, label: 人数, type: integer }',
    ),
    path: 'duties[0].completion.fields[1].key',
    line: 12,
    message: '字段名重复',
  },
  {
    name: 'completion key not camelCase',
    yaml: appendLines(DUTY_YAML, '    completion:', '      fields:', '        - { key: households-count, label: 户数, type: integer }'),
    path: 'duties[0].completion.fields[0].key',
    line: 11,
    message: 'camelCase',
  },
  {
    name: 'min greater than max',
    yaml: appendLines(
      DUTY_YAML,
      '    completion:',
      '      fields:',
      '        - { key: households, label: 户数, type: integer, min: 10, max: 1 }',
    ),
    path: 'duties[0].completion.fields[0].max',
    line: 11,
    message: 'max 不能小于 min',
  },
  {
    name: 'duplicate phase ids',
    yaml: appendLines(
      replaceLine(DUTY_YAML, 8, '    phases:'),
      '      - { id: kickoff, title: 启动, deadline: { day: 5 } }',
      '      - { id: kickoff, title: 总结, deadline: { endOfPeriod: true } }',
    ),
    path: 'duties[0].phases[1].id',
    line: 10,
    message: '阶段编号重复',
  },
  {
    name: 'phases out of order',
    yaml: appendLines(
      replaceLine(DUTY_YAML, 8, '    phases:'),
      '      - { id: kickoff, title: 启动, deadline: { day: 20 } }',
      '      - { id: summary, title: 总结, deadline: { day: 5 } }',
    ),
    path: 'duties[0].phases[1].deadline',
    line: 10,
    message: '按截止时间先后排列',
  },
  {
    name: 'no deadline and no phases',
    yaml: replaceLine(DUTY_YAML, 8, '    urgent: true'),
    path: 'duties[0].deadline',
    line: 2,
    message: '缺少必填字段',
  },
  {
    name: 'duplicate duty id',
    yaml: `${DUTY_YAML}${DUTY_YAML.split('\n').slice(1).join('\n')}`,
    path: 'duties[1].id',
    line: 9,
    message: '职责编号重复 (已在 duties/sample.yaml 第 2 行定义)',
  },
  {
    name: 'unknown top-level key',
    yaml: `dutes: []\n`,
    path: 'dutes',
    line: 1,
    message: '未知字段',
  },
  {
    name: 'YAML syntax error',
    yaml: replaceLine(DUTY_YAML, 7, '    assignTo: { unitKinds: [village, role: cadre, per: unit }'),
    path: '(yaml)',
    line: 7,
    message: 'YAML 语法错误',
  },
  {
    name: 'duplicate YAML key',
    yaml: appendLines(DUTY_YAML, '    title: 另一个标题'),
    path: '(yaml)',
    line: 9,
    message: '键重复',
  },
  {
    name: 'alias without its anchor (a truncated or hand-edited file)',
    yaml: appendLines(DUTY_YAML, '    reminders: *defaultReminders'),
    path: '(yaml)',
    line: 9,
    message: '锚点 (&) 不存在',
  },
  {
    name: 'aliases expanding beyond reason',
    yaml: [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]',
      '',
    ].join('\n'),
    path: '(yaml)',
    line: 2,
    message: '展开过多',
  },
  {
    name: 'empty file',
    yaml: '',
    path: '(文件)',
    line: 1,
    message: '文件为空',
  },
];

describe('parseDuties rejects bad duties with file, line and field path', () => {
  it('accepts the unbroken sample', () => {
    expect(parseDuties(DUTY_YAML, FILE).map((d) => d.id)).toEqual(['sample-duty']);
  });

  it.each(cases)('$name', async ({ yaml, path, line, message }) => {
    const error = await caught(CatalogError, () => parseDuties(yaml, FILE));
    const issue = issueAt(error.issues, path, message);
    expect(issue.message).toContain(message);
    expect(issue).toMatchObject({ file: FILE, line });
    expect(error.message).toContain(`${FILE} 第 ${line} 行 ${path}`);
  });
});

describe('parseDuties reports every problem at once', () => {
  const yaml = [
    'duties:',
    '  - id: first', // 2
    '    title: 第一项',
    '    description: 说明',
    '    source: 一(一)',
    '    recurrence: { kind: monthly }',
    '    assignTo: { unitKinds: [village], role: cadre, per: unit }',
    '    deadline: { day: 40 }', // 8: too late for a month
    '    dueTime: "7pm"', // 9: bad time
    '    colour: red', // 10: unknown
    '  - id: second', // 11: title missing
    '    description: 说明',
    '    source: 一(一)',
    '    recurrence: { kind: quarterly }',
    '    assignTo: { unitKinds: [town], role: cadre, per: unit }', // 15: bad unit kind
    '    deadline: { endOfPeriod: true }',
    '',
  ].join('\n');

  it('lists them in file order with their lines', async () => {
    const error = await caught(CatalogError, () => parseDuties(yaml, FILE));
    expect(error.issues.map((i) => [i.line, i.path])).toEqual([
      [8, 'duties[0].deadline.day'],
      [9, 'duties[0].dueTime'],
      [10, 'duties[0].colour'],
      [11, 'duties[1].title'],
      [15, 'duties[1].assignTo.unitKinds[0]'],
    ]);
    expect(error.message).toContain('共 5 处错误');
  });
});
