import type { Principal } from '../../src/auth/principal';
import { renderDashboard } from '../../src/http/pages/overduePage';
import { groupRows, type OverdueRow } from '../../src/report/overdue';
import { OrgTree } from '../../src/roster/orgTree';
import type { Dashboard } from '../../src/services/dashboard';
import { roster } from '../fixtures/org';

/**
 * The 逾期督办 page from a dashboard built by hand: the 督办 states need tasks the task workflow has moved through its
 * steps, so the page's part (what it shows of them) is checked here on its own.
 */
const tree = new OrgTree(roster);
const supervisor: Principal = { personId: 'p-bureau-sup', role: 'supervisor', name: '督查丙', unitId: 'bureau', via: 'session' };

const extended: OverdueRow = {
  taskId: 'task:village-report:2026-03:v-pine',
  dutyId: 'village-report',
  dutyTitle: '村级月度报表',
  period: '2026-03',
  assigneeId: 'p-pine-1',
  assigneeName: '村干部戊',
  unitId: 'v-pine',
  unitName: '松村',
  townshipId: 't-east',
  dueOn: '2026-03-25',
  daysOverdue: 2,
  escalationLevel: 1,
  flags: ['progress', 'extended'],
  originalDueOn: '2026-03-16',
  latestProgress: { at: '2026-03-24T02:00:00.000Z', note: '已走访 12 户 <b>余下</b>周三前完成' },
};

const rank = (unitId: string, unitName: string, over: Partial<Dashboard['ranking'][number]>): Dashboard['ranking'][number] => ({
  unitId,
  unitName,
  townshipName: '东镇',
  overdue: 0,
  due: 0,
  onTime: 0,
  onTimeRate: null,
  review: 0,
  extensions: 0,
  returns: 0,
  yellow: 0,
  green: 0,
  ...over,
});

const dashboard: Dashboard = {
  report: { asOf: '2026-03-27T01:00:00.000Z', scope: { unitId: '*', unitName: '全市' }, query: '', total: 1, groups: groupRows([extended], tree) },
  ranking: [rank('v-pine', '松村', { overdue: 1, due: 2, extensions: 3, returns: 1, yellow: 4, green: 5 }), rank('dept-edu', '教育局', { due: 1, review: 2 })],
  trend: [{ at: '2026-03-27', count: 1 }],
  window: { from: '2025-12-27', to: '2026-03-27' },
  lights: { red: 1, yellow: 4, green: 7, yellowWithin: 3 },
  overdue: { longestDays: 2, escalatedTwoPlus: 0 },
};

test('cards and ranking count 待审核, extensions and returns beside the overdue figures', () => {
  const page = renderDashboard(supervisor, dashboard, [], {});
  expect(page).toMatch(/id="review-total">2</);
  expect(page).toMatch(/id="extensions-total">3</);
  expect(page).toMatch(/id="returns-total">1</);
  const pine = page.slice(page.indexOf('<tr data-unit="v-pine">'), page.indexOf('</tr>', page.indexOf('<tr data-unit="v-pine">')));
  expect(pine.match(/<td class="num[^"]*">(\d+)<\/td>/g)?.map((c) => c.replace(/<[^>]+>/g, ''))).toEqual(['1', '1', '4', '5', '2', '0', '3', '1']);
});

test('the cards and the ranking show red, yellow and green with their words, never colour alone', () => {
  const page = renderDashboard(supervisor, dashboard, [], {});
  expect(page).toMatch(/id="yellow-total">4</);
  expect(page).toMatch(/id="green-total">7</);
  expect(page).toContain('<span class="badge light light-yellow" data-light="yellow">黄灯</span> 3 个工作日内到期');
  const head = page.slice(page.indexOf('<table id="ranking">'), page.indexOf('</thead>', page.indexOf('<table id="ranking">')));
  expect([...head.matchAll(/data-light="(\w+)">([^<]+)</g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['red:红灯', 'yellow:黄灯', 'green:绿灯']);
  // A unit's overdue tasks are all red lights.
  const unit = renderDashboard(supervisor, dashboard, [], {}, 't-east', 'v-pine');
  const row = unit.slice(unit.indexOf(`<tr data-task="${extended.taskId}">`));
  expect(row).toContain('<td class="num">2</td><td><span class="badge light light-red" data-light="red">红灯</span></td>');
});

test('a unit’s overdue tasks show the 督办 state and the latest progress note, escaped', () => {
  const page = renderDashboard(supervisor, dashboard, [], {}, 't-east', 'v-pine');
  const row = page.slice(page.indexOf(`<tr data-task="${extended.taskId}">`));
  expect(row).toContain('<td>进行中、延期中(原截止 2026-03-16)</td>');
  expect(row).toContain('已走访 12 户 &lt;b&gt;余下&lt;/b&gt;周三前完成<div class="muted">2026-03-24 10:00</div>');
});

test('the flag filter is kept in the drill-down links and the downloads', () => {
  const page = renderDashboard(supervisor, dashboard, [], { flag: 'extended' });
  expect(page).toContain('<option value="extended" selected>延期中</option>');
  expect(page).toContain('href="/overdue?flag=extended&amp;township=t-east"');
  expect(page).toContain('href="/api/reports/overdue?format=csv&amp;flag=extended"');
});
