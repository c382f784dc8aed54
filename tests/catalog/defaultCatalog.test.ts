import { loadCatalog } from '../../src/sources/catalogFiles';
import { OrgTree } from '../../src/roster/orgTree';
import type { Catalog, Duty } from '../../src/shared/types';

let catalog: Catalog;
const duty = (id: string): Duty => {
  const found = catalog.duties.find((d) => d.id === id);
  if (found === undefined) throw new Error(`no duty ${id}`);
  return found;
};

beforeAll(async () => {
  catalog = await loadCatalog('catalog/default');
});

describe('the default catalog', () => {
  it('encodes every recurring obligation of the work plan with its source clause', () => {
    const sources = Object.fromEntries(catalog.duties.map((d) => [d.id, d.source]));
    expect(sources).toEqual({
      'collective-income-target': '一(六)',
      'micro-credit-overdue-check': '四(二十三)、一(四)',
      'three-assets-disclosure': '三(十五)',
      'monthly-data-import': '一(一)',
      'semiannual-full-sweep': '一(一)',
      'post-clearance-revisit': '一(一)',
      'monitoring-lifecycle': '一(一)',
      'seasonal-campaign-spring': '四(二十)',
      'seasonal-campaign-summer': '四(二十)',
      'seasonal-campaign-autumn': '四(二十)',
      'seasonal-campaign-winter': '四(二十)',
    });
  });

  it('reads duty files in name order', () => {
    expect(catalog.duties[0]?.id).toBe('three-assets-disclosure'); // clean-village.yaml
    expect(catalog.duties.at(-1)?.id).toBe('seasonal-campaign-winter'); // seasonal-campaigns.yaml
  });

  it('fills defaults the YAML leaves out', () => {
    expect(duty('monthly-data-import')).toMatchObject({
      recurrence: { kind: 'monthly' },
      deadline: { day: 15 },
      shift: 'next-working-day',
      dueTime: '18:00',
      opens: { atPeriodStart: true },
      reminders: { workingDaysBefore: [3, 1], onDueDay: true, sendAt: '09:00' },
      escalation: { levels: [{ afterWorkingDays: 0 }, { afterWorkingDays: 3 }], repeatEveryWorkingDays: 2 },
      assignTo: { unitKinds: ['department'], role: 'liaison', per: 'unit' },
    });
    expect(duty('monthly-data-import').completion.fields).toEqual([
      { key: 'recordsImported', label: '导入数据条数', type: 'integer', required: true, min: 0, unit: '条' },
    ]);
  });

  it('moves the three-assets disclosure earlier, not later, when the quarter ends on a holiday', () => {
    expect(duty('three-assets-disclosure')).toMatchObject({
      recurrence: { kind: 'quarterly' },
      deadline: { endOfPeriod: true },
      shift: 'previous-working-day',
      assignTo: { unitKinds: ['village'] },
    });
  });

  it('has four seasonal campaigns bounded by solar terms, each in three phases', () => {
    const seasons = ['spring', 'summer', 'autumn', 'winter'].map((s) => duty(`seasonal-campaign-${s}`));
    expect(seasons.map((d) => d.recurrence)).toEqual([
      { kind: 'seasonal', season: 'spring', window: { fromTerm: '立春', toTerm: '立夏' } },
      { kind: 'seasonal', season: 'summer', window: { fromTerm: '立夏', toTerm: '立秋' } },
      { kind: 'seasonal', season: 'autumn', window: { fromTerm: '立秋', toTerm: '立冬' } },
      { kind: 'seasonal', season: 'winter', window: { fromTerm: '立冬', toTerm: '立春' } },
    ]);
    for (const d of seasons) {
      expect(d.phases?.map((p) => [p.id, p.deadline])).toEqual([
        ['kickoff', { day: 10 }],
        ['midterm', { day: 45 }],
        ['summary', { endOfPeriod: true }],
      ]);
      expect(d.deadline).toEqual({ endOfPeriod: true });
      const summary = d.phases?.[2]?.completion?.fields ?? [];
      expect(summary.some((f) => f.type === 'text' && f.required)).toBe(true);
      expect(summary.some((f) => f.type === 'integer')).toBe(true);
    }
    expect(seasons.map((d) => d.title)).toEqual([
      '花开四季·春季开门红',
      '花开四季·夏季大比拼',
      '花开四季·秋季大攻坚',
      '花开四季·冬季大会战',
    ]);
  });

  it('expresses event-driven duties', () => {
    expect(duty('post-clearance-revisit').recurrence).toEqual({
      kind: 'triggered',
      event: 'risk-cleared',
      count: 4,
      everyMonths: 3,
    });
    expect(duty('post-clearance-revisit').completion.fields.map((f) => [f.key, f.type])).toEqual([
      ['visited', 'boolean'],
      ['incomeStable', 'boolean'],
      ['guaranteesHold', 'boolean'],
      ['riskReturned', 'boolean'],
    ]);
  });

  it('gives every duty at least one assignee in the demo roster', () => {
    const tree = new OrgTree(catalog.roster);
    for (const d of catalog.duties) expect(tree.resolveAssignees(d.assignTo).length).toBeGreaterThan(0);
    const byTags = tree.resolveAssignees(duty('collective-income-target').assignTo);
    expect(byTags.every((a) => tree.unit(a.unitId).tags.some((t) => t === 'key-village' || t === 'model-village'))).toBe(true);
  });

  it('ships a demo roster shaped like Yuanjiang', () => {
    const tree = new OrgTree(catalog.roster);
    const townships = catalog.roster.units.filter((u) => u.kind === 'township');
    expect(townships.length).toBeGreaterThanOrEqual(4);
    expect(townships.length).toBeLessThanOrEqual(6);
    expect(tree.township('v-xiaohezui')?.name).toBe('琼湖街道');
    expect(tree.township('v-xianfeng')?.name).toBe('胭脂湖街道');
    expect(tree.unit('t-sijihong').name).toBe('四季红镇');
    for (const person of catalog.roster.people) expect(person.email).toMatch(/@example\.org$/);
    for (const village of catalog.roster.units.filter((u) => u.kind === 'village')) {
      expect(tree.peopleOf(village.id, 'cadre').length).toBeGreaterThanOrEqual(1);
      expect(village.supervisors.every((id) => tree.person(id).unit === village.parent)).toBe(true);
    }
  });
});
