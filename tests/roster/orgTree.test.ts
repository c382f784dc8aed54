import { readFileSync } from 'node:fs';
import { parseRoster } from '../../src/roster/parse';
import { NotFoundError, UsageError } from '../../src/errors';
import { OrgTree } from '../../src/roster/orgTree';

const FILE = 'catalog/default/roster.yaml';
const tree = new OrgTree(parseRoster(readFileSync(FILE, 'utf8'), FILE));
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('OrgTree over the demo roster', () => {
  it('finds units and people, and names what it cannot find', () => {
    expect(tree.unit('v-xiaohezui').name).toBe('小河咀村');
    expect(tree.person('p-xhz-cadre1').unit).toBe('v-xiaohezui');
    expect(tree.hasUnit('v-nowhere')).toBe(false);
    expect(tree.hasPerson('p-nobody')).toBe(false);
    expect(() => tree.unit('v-nowhere')).toThrow(NotFoundError);
    expect(() => tree.person('p-nobody')).toThrow('找不到人员: p-nobody');
  });

  it('gives the path from the bureau down to a unit', () => {
    expect(tree.unitPath('v-xiaohezui')).toEqual(['bureau', 't-qionghu', 'v-xiaohezui']);
    expect(tree.unitPath('dept-edu')).toEqual(['bureau', 'dept-edu']);
    expect(tree.unitPath('bureau')).toEqual(['bureau']);
  });

  it('finds the township a unit belongs to', () => {
    expect(tree.township('v-xianfeng')?.name).toBe('胭脂湖街道');
    expect(tree.township('t-caowei')?.id).toBe('t-caowei');
    expect(tree.township('dept-edu')).toBeUndefined();
    expect(tree.township('bureau')).toBeUndefined();
  });

  it('answers subtree questions', () => {
    expect(ids(tree.subtree('t-caowei'))).toEqual(['t-caowei', 'v-shengli', 'v-fuxing', 'v-chunfeng']);
    expect(tree.isInSubtree('v-xiaohezui', 't-qionghu')).toBe(true);
    expect(tree.isInSubtree('t-qionghu', 't-qionghu')).toBe(true);
    expect(tree.isInSubtree('v-xiaohezui', 't-caowei')).toBe(false);
    expect(tree.isInSubtree('v-nowhere', 'bureau')).toBe(false);
    expect(tree.subtree('bureau')).toHaveLength(tree.roster.units.length);
  });

  it('lists the people of a unit, optionally by role', () => {
    expect(ids(tree.peopleOf('t-sijihong'))).toEqual(['p-sjh-sup', 'p-sjh-cadre1']);
    expect(ids(tree.peopleOf('t-sijihong', 'supervisor'))).toEqual(['p-sjh-sup']);
    expect(tree.peopleOf('dept-edu', 'cadre')).toEqual([]);
    expect(ids(tree.admins())).toEqual(['p-admin']);
  });

  describe('supervisorsAt walks up the chain', () => {
    it.each([
      [1, ['p-qh-sup']],
      [2, ['p-lead-zhang']],
      [3, ['p-lead-zhang', 'p-lead-li']],
      // Past the root the bureau's own supervisors stay in charge.
      [4, ['p-lead-zhang', 'p-lead-li']],
      [10, ['p-lead-zhang', 'p-lead-li']],
    ])('village, level %i', (level, expected) => {
      expect(ids(tree.supervisorsAt('v-xiaohezui', level))).toEqual(expected);
    });

    it('for a department, whose chain is shorter', () => {
      expect(ids(tree.supervisorsAt('dept-edu', 1))).toEqual(['p-lead-li']);
      expect(ids(tree.supervisorsAt('dept-edu', 2))).toEqual(['p-lead-zhang', 'p-lead-li']);
      expect(ids(tree.supervisorsAt('dept-edu', 3))).toEqual(['p-lead-zhang', 'p-lead-li']);
    });

    it('refuses a level below 1', () => {
      expect(() => tree.supervisorsAt('v-xiaohezui', 0)).toThrow(UsageError);
    });
  });

  describe('resolveAssignees', () => {
    it('per unit: the first person with the role in each unit, in roster order', () => {
      const assignees = tree.resolveAssignees({ unitKinds: ['village'], role: 'cadre', per: 'unit' });
      expect(assignees).toHaveLength(11);
      expect(assignees.slice(0, 3)).toEqual([
        { personId: 'p-hx-cadre1', unitId: 'v-hongxing' },
        { personId: 'p-xs-cadre1', unitId: 'v-xinsheng' },
        { personId: 'p-xhz-cadre1', unitId: 'v-xiaohezui' },
      ]);
    });

    it('per person: everyone with the role', () => {
      const assignees = tree.resolveAssignees({ units: ['v-xianfeng'], role: 'cadre', per: 'person' });
      expect(assignees).toEqual([
        { personId: 'p-xf-cadre1', unitId: 'v-xianfeng' },
        { personId: 'p-xf-cadre2', unitId: 'v-xianfeng' },
      ]);
    });

    it('narrows unit kinds by tags', () => {
      const assignees = tree.resolveAssignees({
        unitKinds: ['village'],
        tags: ['key-village', 'model-village'],
        role: 'cadre',
        per: 'unit',
      });
      expect(assignees.map((a) => a.unitId)).toEqual([
        'v-hongxing',
        'v-xinsheng',
        'v-xiaohezui',
        'v-tuanjie',
        'v-xianfeng',
        'v-guangming',
        'v-shengli',
      ]);
    });

    it('covers every department with its liaison', () => {
      const assignees = tree.resolveAssignees({ unitKinds: ['department'], role: 'liaison', per: 'unit' });
      expect(assignees.map((a) => a.unitId)).toEqual([
        'dept-edu',
        'dept-medins',
        'dept-housing',
        'dept-water',
        'dept-civil',
        'dept-hrss',
        'dept-disabled',
      ]);
    });

    it('skips units without anyone in the role', () => {
      expect(tree.resolveAssignees({ unitKinds: ['department'], role: 'cadre', per: 'unit' })).toEqual([]);
    });
  });

  describe('canComplete', () => {
    const assignee = { personId: 'p-xhz-cadre1', unitId: 'v-xiaohezui' };
    it.each([
      ['the assignee', 'p-xhz-cadre1', true],
      ['a colleague in the same village', 'p-xhz-cadre2', true],
      ['an administrator', 'p-admin', true],
      ['a cadre of another village', 'p-xf-cadre1', false],
      ['the township supervisor', 'p-qh-sup', false],
      ['someone not in the roster', 'p-nobody', false],
    ])('%s', (_who, personId, allowed) => {
      expect(tree.canComplete(personId, assignee)).toBe(allowed);
    });
  });

  it('knows administrators', () => {
    expect(tree.isAdmin('p-admin')).toBe(true);
    expect(tree.isAdmin('p-lead-zhang')).toBe(false);
    expect(tree.isAdmin('p-nobody')).toBe(false);
  });

  it('lists the units a supervisor oversees', () => {
    expect(ids(tree.supervisedUnits('p-qh-sup'))).toEqual(['v-xiaohezui', 'v-tuanjie']);
    expect(ids(tree.supervisedUnits('p-lead-li'))).toContain('v-xianfeng');
    expect(tree.supervisedUnits('p-xhz-cadre1')).toEqual([]);
  });
});
