import { canSeeTask, coversUnit, OPERATOR, personalScope, roleOf, scopeOf, unitsToQuery, type Viewer } from '../../src/auth/policy';
import { OrgTree } from '../../src/roster/orgTree';
import { roster } from '../fixtures/org';

const tree = new OrgTree(roster);
const as = (personId: string): Viewer => ({ personId, role: roleOf(tree.person(personId)) ?? 'cadre' });

test('roles come from the roster: admin over supervisor over cadre, liaisons are cadres', () => {
  expect(['p-admin', 'p-east-sup', 'p-pine-1', 'p-edu'].map((id) => roleOf(tree.person(id)))).toEqual(['admin', 'supervisor', 'cadre', 'cadre']);
});

test('an administrator and the CLI operator see everything', () => {
  expect(scopeOf(tree, as('p-admin'))).toEqual({ all: true });
  expect(scopeOf(tree, OPERATOR)).toEqual({ all: true });
  expect(unitsToQuery(tree, { all: true })).toBeUndefined();
});

test("a township supervisor's scope is the township's subtree, nothing beside it", () => {
  const scope = scopeOf(tree, as('p-east-sup'));
  expect(scope).toEqual({ all: false, roots: ['t-east'], units: [], people: ['p-east-sup'] });
  expect(canSeeTask(tree, scope, { unit: 'v-pine', assignee: 'p-pine-1' })).toBe(true);
  expect(canSeeTask(tree, scope, { unit: 'dept-edu', assignee: 'p-edu' })).toBe(false);
  expect(coversUnit(tree, scope, 'bureau')).toBe(false);
  // Asking for the whole county narrows to what is theirs; asking for a unit beside it is "not found".
  expect(unitsToQuery(tree, scope, 'bureau')).toEqual(['t-east']);
  expect(unitsToQuery(tree, scope, 'v-pine')).toEqual(['v-pine']);
  expect(() => unitsToQuery(tree, scope, 'dept-edu')).toThrow('找不到单位: dept-edu');
  expect(() => unitsToQuery(tree, scope, 'no-such')).toThrow('找不到单位: no-such');
});

test('a bureau supervisor’s roots collapse into the bureau', () => {
  expect(scopeOf(tree, as('p-bureau-sup'))).toMatchObject({ roots: ['bureau'] });
});

test('a cadre sees their own tasks and their unit’s, not the units below or beside', () => {
  const scope = scopeOf(tree, as('p-east-cadre'));
  expect(scope).toEqual(personalScope(tree.person('p-east-cadre')));
  expect(canSeeTask(tree, scope, { unit: 't-east', assignee: 'p-east-sup' })).toBe(true);
  expect(canSeeTask(tree, scope, { unit: 'v-pine', assignee: 'p-pine-1' })).toBe(false);
  expect(canSeeTask(tree, scope, { unit: 'v-pine', assignee: 'p-east-cadre' })).toBe(true);
});

test('someone no longer in the roster sees nothing', () => {
  expect(scopeOf(tree, { personId: 'p-gone', role: 'supervisor' })).toEqual({ all: false, roots: [], units: [], people: [] });
});
