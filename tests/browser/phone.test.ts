import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/auth/policy';
import { REPO_ROOT } from '../../src/config';
import { cliActor } from '../../src/services/context';
import { pauseDuty } from '../../src/services/duties';
import { completeTask } from '../../src/services/tasks';
import { startStack, type Stack } from '../http/stack';
import { launchChromium, signInAt } from '../support/browser';

/** Every page as every role on a phone: nothing wider than the screen, no English error text; screenshots to look at. */

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'phone');
const PHONE = { width: 390, height: 844 };
const NARROW = { width: 360, height: 740 };
const Q3 = 'three-assets-disclosure';
const MONTHLY = 'monthly-data-import';
const task = (duty: string, period: string, unit: string) => `task:${duty}:${period}:${unit}`;
const LONG_UNIT = '小河咀村民委员会(含原新河口村、老河口村、东湖村合并后的第一至第十二村民小组及渔场片区)';
const LONG_TOKEN = `XHZ-2026-Q2-${'0123456789'.repeat(8)}`;
const LONG_NOTE = `已在村务公开栏、村民微信群和村委会门口电子屏同步公开第二季度"三资"管理使用情况,公开编号 ${LONG_TOKEN},${'群众无异议,'.repeat(20)}`;
const LONG_REASON = `数据平台升级改造期间暂停,待省级平台${'接口联调完成并通过验收后'.repeat(4)}恢复`;
/** Words of untranslated framework or validator text; body text must contain none of them. */
const ENGLISH = /\b(error|bad request|not found|forbidden|unauthorized|too long|undefined|null|NaN|expected|record|invalid|required|level|object Object)\b/i;

let stack: Stack;
let profile: string;
let catalogDir: string;
let browser: BrowserContext;
let page: Page;
const previousCatalog = process.env.DUTY_CATALOG_DIR;

/** The default catalog with one village renamed to a very long name, so overflow is really exercised. */
function longNamedCatalog(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duty-phone-catalog-'));
  cpSync(path.join(REPO_ROOT, 'catalog', 'default'), dir, { recursive: true });
  const roster = path.join(dir, 'roster.yaml');
  writeFileSync(roster, readFileSync(roster, 'utf8').replace('name: 小河咀村', `name: ${LONG_UNIT}`));
  return dir;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  catalogDir = longNamedCatalog();
  process.env.DUTY_CATALOG_DIR = catalogDir;
  profile = mkdtempSync(path.join(os.tmpdir(), 'duty-chromium-'));
  const [s, b] = await Promise.all([
    startStack({ people: ['p-admin', 'p-qh-sup', 'p-xhz-cadre1'] }),
    launchChromium(profile),
  ]);
  [stack, browser] = [s, b];
  await stack.openPeriod(Q3, '2026-Q3');
  await stack.openPeriod(Q3, '2026-Q2');
  await stack.openPeriod(MONTHLY, '2026-10');
  const actor = cliActor();
  await completeTask(stack.services, OPERATOR, actor, task(Q3, '2026-Q2', 'v-xiaohezui'), {
    by: 'p-xhz-cadre1',
    note: LONG_NOTE,
    fields: { disclosedOn: '2026-06-28', disclosureChannel: `村务公开栏、村民微信群、村委会门口电子屏、${LONG_TOKEN}` },
  });
  await completeTask(stack.services, OPERATOR, actor, task(MONTHLY, '2026-10', 'dept-edu'), { by: 'p-edu-liaison', note: '已导入', fields: { recordsImported: '1200' } });
  await pauseDuty(stack.services, actor, MONTHLY, LONG_REASON);
  page = browser.pages()[0] ?? (await browser.newPage());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (previousCatalog === undefined) delete process.env.DUTY_CATALOG_DIR;
  else process.env.DUTY_CATALOG_DIR = previousCatalog;
  rmSync(profile, { recursive: true, force: true });
  rmSync(catalogDir, { recursive: true, force: true });
});

async function signIn(personId: string): Promise<void> {
  await page.context().clearCookies();
  await page.setViewportSize(PHONE);
  await signInAt(page, stack.baseUrl, personId);
}

/** What is wrong with the page on screen now, at 390 px and at 360 px; the 390 px view is saved as a screenshot. */
async function problemsOf(name: string): Promise<string[]> {
  const found: string[] = [];
  for (const size of [NARROW, PHONE]) {
    await page.setViewportSize(size);
    const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth })');
    if (scrollWidth > innerWidth) found.push(`${name} @${size.width}px: 页面宽 ${scrollWidth}px`);
  }
  const text = await page.innerText('body');
  const english = text.match(ENGLISH);
  if (english) found.push(`${name}: 出现英文 "${english[0]}"`);
  const fieldPath = text.match(/\b(query|form|params|body)\.\w+/);
  if (fieldPath) found.push(`${name}: 出现字段路径 ${fieldPath[0]}`);
  if (text.includes('请求格式不正确')) found.push(`${name}: 笼统的"请求格式不正确"`);
  for (const problem of await page.locator('.error li').allInnerTexts()) {
    if (text.split(problem).length > 2) found.push(`${name}: "${problem}" 出现了两次`);
  }
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  return found;
}

async function visit(name: string, url: string): Promise<string[]> {
  await page.goto(`${stack.baseUrl}${url}`);
  return problemsOf(name);
}

/** Every page of the site, and a few error pages, whatever the role may see of it. */
const PAGES: [string, string][] = [
  ['my', '/my'],
  ['task-overdue', `/tasks/${encodeURIComponent(task(Q3, '2026-Q3', 'v-xiaohezui'))}`],
  ['task-done', `/tasks/${encodeURIComponent(task(Q3, '2026-Q2', 'v-xiaohezui'))}`],
  ['task-figures', `/tasks/${encodeURIComponent(task(MONTHLY, '2026-10', 'dept-edu'))}`],
  ['overdue', '/overdue'],
  ['overdue-township', '/overdue?township=t-qionghu'],
  ['overdue-unit', '/overdue?township=t-qionghu&unit=v-xiaohezui'],
  ['overdue-bad-filter', '/overdue?period=abc&township=%20'],
  ['duties', '/duties'],
  ['duty-preview', `/duties/${MONTHLY}`],
  ['duty-preview-bad-date', `/duties/${MONTHLY}?from=2026-13-45`],
  ['audit', '/audit'],
  ['audit-bad-filter', '/audit?from=yesterday&action=nothing'],
  ['not-found', '/no-such-page'],
  ['task-not-found', `/tasks/${encodeURIComponent('task:nope:2026-Q3:v-nowhere')}`],
];

test('the login page explains the 人员编号 and whom to ask for an account, without a command line', async () => {
  await page.context().clearCookies();
  await page.setViewportSize(PHONE);
  await page.goto(`${stack.baseUrl}/login`);
  const text = await page.innerText('main');
  expect(text).toContain('人员编号');
  expect(text).toMatch(/县.*乡村振兴局.*管理员/);
  expect(text).not.toMatch(/duty |set-password|npm /);
  expect(await problemsOf('login')).toEqual([]);
});

describe.each([
  ['admin', 'p-admin'],
  ['supervisor', 'p-qh-sup'],
  ['cadre', 'p-xhz-cadre1'],
])('as the %s (%s) on a phone', (role, personId) => {
  test('no page is wider than the screen and none shows English error text', async () => {
    await signIn(personId);
    const problems: string[] = [];
    for (const [name, url] of PAGES) problems.push(...(await visit(`${role}-${name}`, url)));
    expect(problems).toEqual([]);
  });
});

test('completion figures read with their labels and units, and the completion note is on screen', async () => {
  await signIn('p-admin');
  await page.goto(`${stack.baseUrl}/tasks/${encodeURIComponent(task(MONTHLY, '2026-10', 'dept-edu'))}`);
  const main = await page.innerText('main');
  expect(main).toContain('导入数据条数: 1200 条');
  expect(main).not.toContain('recordsImported');
  await page.goto(`${stack.baseUrl}/tasks/${encodeURIComponent(task(Q3, '2026-Q2', 'v-xiaohezui'))}`);
  expect(await page.innerText('main')).toContain('公开日期: 2026-06-28');
  expect(await page.locator(`text=${LONG_TOKEN}`).first().isVisible()).toBe(true);
  expect(await page.locator('td', { hasText: '群众无异议' }).isVisible()).toBe(true);
});

test('the audit trail reads as sentences, with the 详情 column on screen', async () => {
  await signIn('p-admin');
  await page.goto(`${stack.baseUrl}/audit`);
  const detail = page.locator('#audit td', { hasText: '填报 导入数据条数 1200 条' });
  expect(await detail.isVisible()).toBe(true);
  expect(await page.innerText('#audit')).not.toMatch(/by=|fields=|\{"/);
});

test('on /duties a paused duty shows no next opening, and every action button is on screen', async () => {
  await signIn('p-admin');
  await page.goto(`${stack.baseUrl}/duties`);
  const paused = page.locator(`#duty-${MONTHLY}`);
  expect(await paused.innerText()).toContain('已暂停');
  expect(await paused.innerText()).not.toContain('下次开启');
  const width = PHONE.width;
  const offScreen = await page.$$eval('#duties button', (buttons, w) => buttons.filter((b) => b.getBoundingClientRect().right > w).map((b) => b.textContent), width);
  expect(offScreen).toEqual([]);
});

test("the trend chart's labels are at least 11 px on a 360 px screen", async () => {
  await signIn('p-qh-sup');
  await page.setViewportSize(NARROW);
  await page.goto(`${stack.baseUrl}/overdue`);
  // The size on screen: the CSS size in chart units times the chart's scale.
  const sizes = await page.evaluate<number[]>("[...document.querySelectorAll('#trend text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)");
  expect(sizes.length).toBeGreaterThan(0);
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
});

test('a cadre whose note is too long gets the form back with the note filled in, and one Chinese message', async () => {
  await signIn('p-xhz-cadre1');
  const url = `${stack.baseUrl}/tasks/${encodeURIComponent(task(Q3, '2026-Q3', 'v-xiaohezui'))}`;
  await page.goto(url);
  const note = `村务公开栏已公开。${'说明文字'.repeat(520)}`;
  await page.fill('input[name="f.disclosedOn"]', '2026-09-28');
  await page.fill('textarea[name=note]', note);
  await page.click('button:text("提交完成")');
  expect(await page.inputValue('textarea[name=note]')).toBe(note);
  expect(await page.inputValue('input[name="f.disclosedOn"]')).toBe('2026-09-28');
  expect(await page.innerText('#complete .field-error')).toMatch(/说明.*2000/);
  const body = await page.innerText('body');
  expect(body).not.toContain('form.note');
  expect(body.split('2000').length - 1).toBe(1);
  expect(await problemsOf('cadre-note-too-long')).toEqual([]);
});
