import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/auth/policy';
import { REPO_ROOT } from '../../src/config';
import { findTasks } from '../../src/services/tasks';
import { ZONE } from '../../src/shared/zone';
import { startStack, type Stack } from '../http/stack';
import { eventually } from '../support/cli';
import { launchChromium, PHONE, signInAt } from '../support/browser';

/**
 * The 考核 page on a 375 px phone: the ranking fits, a unit's page lists every point it lost, and tapping a point
 * lands on the task's 经过. The first quarter's disclosures and March's imports are left undone, so they cost points.
 */

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'phone');
const ENGLISH = /\b(error|bad request|not found|forbidden|unauthorized|undefined|null|NaN|expected|invalid|required|object Object)\b/i;
/** A year whose first quarter is over, whenever the test runs. */
const YEAR = DateTime.now().setZone(ZONE).minus({ days: 100 }).year;

let stack: Stack;
let profile: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(path.join(os.tmpdir(), 'duty-chromium-'));
  [stack, browser] = await Promise.all([
    startStack({ people: ['p-admin'] }),
    launchChromium(profile, { viewport: PHONE }),
  ]);
  const opened = [...(await stack.openPeriod('three-assets-disclosure', `${YEAR}-Q1`)), ...(await stack.openPeriod('monthly-data-import', `${YEAR}-03`))];
  await eventually(
    () => findTasks(stack.services, OPERATOR, {}),
    (tasks) => tasks.length === opened.length && tasks.every((t) => t.status === 'overdue'),
  );
  page = browser.pages()[0] ?? (await browser.newPage());
  await signInAt(page, stack.baseUrl, 'p-admin');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(profile, { recursive: true, force: true });
});

/** What is wrong with the page on screen: wider than the phone, English words, a button or link past the right edge. */
async function problemsOf(name: string): Promise<string[]> {
  const found: string[] = [];
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth })');
  if (scrollWidth > innerWidth) found.push(`${name}: 页面宽 ${scrollWidth}px`);
  const offScreen = await page.evaluate<string[]>(`[...document.querySelectorAll('main button, main a.button, main input, main select')].filter((e) => e.getBoundingClientRect().right > ${PHONE.width}).map((e) => e.outerHTML.slice(0, 80))`);
  found.push(...offScreen.map((e) => `${name}: 超出屏幕 ${e}`));
  const english = (await page.innerText('body')).match(ENGLISH);
  if (english) found.push(`${name}: 出现英文 "${english[0]}"`);
  await page.screenshot({ path: path.join(SHOTS, `assessment-${name}.png`), fullPage: true });
  return found;
}

test('the ranking, a unit’s points lost and the task they link to, by tapping on a phone', async () => {
  await page.goto(`${stack.baseUrl}/assessment?year=${YEAR}`);
  expect(await page.innerText('nav.main')).toContain('考核');
  expect(await page.locator('#rank-village tbody tr').count()).toBe(11);
  // Each village left its disclosure undone: −5, and −1 for each of the two levels it reached.
  expect(await page.locator('#rank-village td.score').allInnerTexts()).toEqual(Array(11).fill('93'));
  const problems = await problemsOf('ranking');

  await Promise.all([page.waitForURL(/unit=/), page.click('#rank-department tbody tr:first-child a')]);
  const rows = page.locator('table.deductions tbody tr');
  expect(await rows.count()).toBe(3);
  expect(await rows.first().locator('[data-label="扣分事项"]').innerText()).toBe('逾期未完成');
  problems.push(...(await problemsOf('unit')));

  await Promise.all([page.waitForURL(/\/tasks\/.+#events$/), rows.first().locator('[data-label="扣分依据"] a').click()]);
  expect(await page.locator('#events').isVisible()).toBe(true);
  expect(problems).toEqual([]);
});
