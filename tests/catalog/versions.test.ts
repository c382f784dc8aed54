import { join } from 'node:path';
import { dutyForPeriod, previewDuty } from '../../src/calendar';
import { parseDuties } from '../../src/catalog/parse';
import { versionChanges, versionText } from '../../src/catalog/versions';
import { CatalogError } from '../../src/errors';
import { catalogVersionFor, catalogVersionsOf } from '../../src/schedules/catalogVersion';
import { loadWorkCalendar } from '../../src/sources/holidays';
import { duty as runDuty } from '../support/cli';
import { appendLines, caught, catalogDir, DUTY_YAML, issueAt, replaceLine, ROSTER_YAML } from './fixtures';

/**
 * Effective-dated catalog versions: a deadline moved from the 15th to the 10th from July, then the time of day moved
 * from October. Lines 9–13 are the versions; each bad case replaces one line so the line numbers stay true.
 */
const FILE = 'duties/sample.yaml';
const VERSIONED = appendLines(
  DUTY_YAML,
  '    versions:',
  '      - effectiveFrom: 2026-07-01',
  '        deadline: { day: 10 }',
  '      - effectiveFrom: 2026-10-01',
  "        dueTime: '17:00'",
);
const cal = loadWorkCalendar({ overrideFile: require.resolve('../../data/holidays.json') });

describe('the versions: list is checked like the rest of the duty, each problem at its file, line and field', () => {
  it.each([
    { name: 'dates out of order', yaml: replaceLine(VERSIONED, 12, '      - effectiveFrom: 2026-06-01'), path: 'duties[0].versions[1].effectiveFrom', line: 12, message: '生效日期必须晚于上一个版本的 2026-07-01' },
    { name: 'the same date twice', yaml: replaceLine(VERSIONED, 12, '      - effectiveFrom: 2026-07-01'), path: 'duties[0].versions[1].effectiveFrom', line: 12, message: '日期不能重复' },
    { name: 'a date that does not exist', yaml: replaceLine(VERSIONED, 10, '      - effectiveFrom: 2026-02-30'), path: 'duties[0].versions[0].effectiveFrom', line: 10, message: '必须是有效的日期' },
    { name: 'a date in another format', yaml: replaceLine(VERSIONED, 10, '      - effectiveFrom: 2026/7/1'), path: 'duties[0].versions[0].effectiveFrom', line: 10, message: 'YYYY-MM-DD' },
    { name: 'a version changing the recurrence', yaml: replaceLine(VERSIONED, 13, '        recurrence: { kind: quarterly }'), path: 'duties[0].versions[1].recurrence', line: 13, message: '版本不能修改周期 recurrence' },
    { name: 'a version changing the id', yaml: replaceLine(VERSIONED, 13, '        id: other-duty'), path: 'duties[0].versions[1].id', line: 13, message: '版本不能修改职责编号 id' },
    { name: 'an unknown field', yaml: replaceLine(VERSIONED, 13, '        colour: red'), path: 'duties[0].versions[1].colour', line: 13, message: '未知字段' },
    { name: 'a deadline the period cannot hold', yaml: replaceLine(VERSIONED, 11, '        deadline: { day: 40 }'), path: 'duties[0].versions[0].deadline.day', line: 11, message: '按月的职责, 截止日 day 不能超过 31' },
    {
      name: 'phases out of order',
      yaml: replaceLine(VERSIONED, 11, '        phases: [{ id: a, title: 启动, deadline: { day: 5 } }, { id: b, title: 总结, deadline: { day: 3 } }]'),
      path: 'duties[0].versions[0].phases[1].deadline',
      line: 11,
      message: '阶段必须按截止时间先后排列',
    },
  ])('$name', async ({ yaml, path, line, message }) => {
    const error = await caught(CatalogError, () => parseDuties(yaml, FILE));
    expect(issueAt(error.issues, path, message)).toMatchObject({ file: FILE, line });
    expect(error.message).toContain(`${FILE} 第 ${line} 行 ${path}: `);
  });

  it('a problem a version causes in a field it leaves alone points at the version', async () => {
    const yaml = appendLines(
      DUTY_YAML,
      '    completion: { fields: [{ key: income, label: 收入, type: number }] }',
      '    targets: [{ tag: key-village, label: 重点村, field: income, atLeast: 1, share: 0.5 }]',
      '    versions:',
      '      - effectiveFrom: 2026-07-01',
      '        completion: { fields: [{ key: note, label: 说明, type: text }] }',
    );
    const error = await caught(CatalogError, () => parseDuties(yaml, FILE));
    expect(error.issues).toHaveLength(1);
    expect(issueAt(error.issues, 'duties[0].versions[0]', '自 2026-07-01 起, targets[0].field: 目标必须指向')).toMatchObject({ line: 12 });
  });

  it('a version reaching a unit the roster lacks is refused with the roster cross-checks', async () => {
    const { dir, cleanup } = await catalogDir({ 'roster.yaml': ROSTER_YAML, 'duties/a.yaml': replaceLine(VERSIONED, 13, '        assignTo: { units: [v-nowhere], role: cadre, per: unit }') });
    try {
      const { code, err } = await runDuty('validate', dir);
      expect(code).toBe(2);
      expect(err).toContain(`${join(dir, 'duties/a.yaml')} 第 13 行 duties[0].versions[1].assignTo.units[0]: 找不到单位 "v-nowhere"`);
    } finally {
      await cleanup();
    }
  });

  it('`duty validate` refuses dates out of order with exit code 2', async () => {
    const { dir, cleanup } = await catalogDir({ 'roster.yaml': ROSTER_YAML, 'duties/a.yaml': replaceLine(VERSIONED, 12, '      - effectiveFrom: 2026-06-01') });
    try {
      const { code, err, out } = await runDuty('validate', dir);
      expect({ code, out }).toEqual({ code: 2, out: '' });
      expect(err).toContain(`${join(dir, 'duties/a.yaml')} 第 12 行 duties[0].versions[1].effectiveFrom: 生效日期必须晚于上一个版本的 2026-07-01`);
    } finally {
      await cleanup();
    }
  });
});

describe('the version for a period is chosen by the day the period begins', () => {
  const [duty] = parseDuties(VERSIONED, FILE);
  if (!duty) throw new Error('no duty');

  it('keeps only the fields each version gives', () => {
    expect(duty.deadline).toEqual({ day: 15 });
    expect(duty.versions).toEqual([
      { effectiveFrom: '2026-07-01', deadline: { day: 10 } },
      { effectiveFrom: '2026-10-01', dueTime: '17:00' },
    ]);
  });

  it('before the first date the duty’s own fields hold; later versions build on earlier ones', () => {
    const at = (start: string) => dutyForPeriod(duty, { start });
    expect(at('2026-06-01')).toMatchObject({ deadline: { day: 15 }, dueTime: '18:00' });
    expect(at('2026-06-01').versions).toBeUndefined();
    expect(at('2026-07-01')).toMatchObject({ deadline: { day: 10 }, dueTime: '18:00' });
    expect(at('2026-10-01')).toMatchObject({ deadline: { day: 10 }, dueTime: '17:00' });
  });

  it('a preview across the boundaries shows each period under its own terms', () => {
    const occurrences = previewDuty(duty, '2026-06-01', '2026-10-31', cal);
    expect(occurrences.map((o) => [o.period, o.nominalDueOn])).toEqual([
      ['2026-06', '2026-06-15'],
      ['2026-07', '2026-07-10'],
      ['2026-08', '2026-08-10'],
      ['2026-09', '2026-09-10'],
      ['2026-10', '2026-10-10'],
    ]);
    expect(occurrences.map((o) => o.dueAt.slice(11, 16))).toEqual(['18:00', '18:00', '18:00', '18:00', '17:00']);
  });

  it('a date inside a period reaches the next period: a quarter begun on 1 July keeps the old terms', () => {
    const quarterly = replaceLine(replaceLine(VERSIONED, 6, '    recurrence: { kind: quarterly }'), 10, '      - effectiveFrom: 2026-08-15');
    const [q] = parseDuties(quarterly, FILE);
    if (!q) throw new Error('no duty');
    expect(previewDuty(q, '2026-07-01', '2026-12-31', cal).map((o) => [o.period, o.nominalDueOn])).toEqual([
      ['2026-Q3', '2026-07-15'],
      ['2026-Q4', '2026-10-10'],
    ]);
    expect(versionChanges(q, '2026-08-01')[0]).toMatchObject({ effectiveFrom: '2026-08-15', firstPeriod: { label: '2026-Q4', start: '2026-10-01' }, firstPeriodBegun: false });
  });

  it('each version says what it changes and the first period it reaches', () => {
    const [july, october] = versionChanges(duty, '2026-06-20');
    expect(july).toEqual({
      dutyId: 'sample-duty',
      effectiveFrom: '2026-07-01',
      firstPeriod: { label: '2026-07', start: '2026-07-01', end: '2026-07-31' },
      firstPeriodBegun: false,
      fields: [{ field: 'deadline', before: '周期第 15 天', after: '周期第 10 天' }],
    });
    expect(october?.fields).toEqual([{ field: 'dueTime', before: '18:00', after: '17:00' }]);
    expect(versionText(july!)).toBe('自 2026-07-01 起 deadline: 周期第 15 天 → 周期第 10 天;首个适用周期 2026-07(2026-07-01 开始)');
    expect(versionText(versionChanges(duty, '2026-07-02')[0]!)).toContain('该周期已开始:已开启的任务保持原条款');
  });

  it('the catalog version of a period is the fingerprint of its terms, the same after a trip through JSON', () => {
    const [base, july, october] = catalogVersionsOf(duty);
    expect(catalogVersionFor(duty, '2026-06-01')).toEqual(base);
    expect(catalogVersionFor(duty, '2026-08-01')).toEqual({ fingerprint: july?.fingerprint, effectiveFrom: '2026-07-01' });
    expect(catalogVersionFor(duty, '2026-11-01')).toEqual(october);
    expect(new Set([base, july, october].map((v) => v?.fingerprint)).size).toBe(3);
    // The schedule hands the duty to the planning activity as JSON.
    expect(catalogVersionFor(JSON.parse(JSON.stringify(duty)), '2026-08-01')).toEqual(catalogVersionFor(duty, '2026-08-01'));
  });
});
