import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../src/config';
import { startStack, type Stack } from '../http/stack';
import { launchChromium, PHONE, signInAt } from '../support/browser';

/** The 账号 page on a 375 px phone: nothing wider than the screen, every button on screen, each action done by tapping. */

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'phone');
const ENGLISH = /\b(error|bad request|not found|forbidden|unauthorized|undefined|null|NaN|expected|invalid|required|object Object)\b/i;

let stack: Stack;
let profile: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(path.join(os.tmpdir(), 'duty-chromium-'));
  [stack, browser] = await Promise.all([
    startStack({ people: ['p-admin', 'p-xhz-cadre1'] }),
    launchChromium(profile, { viewport: PHONE }),
  ]);
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
  await page.screenshot({ path: path.join(SHOTS, `accounts-${name}.png`), fullPage: true });
  return found;
}

async function submit(button: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.click(`button:text("${button}")`)]);
}

test('the list and the filters fit a 375 px phone', async () => {
  await page.goto(`${stack.baseUrl}/accounts`);
  expect(await page.innerText('nav.main')).toContain('账号');
  expect(await page.locator('#person-p-xhz-cadre1 [data-label="账号"]').innerText()).toContain('有账号');
  const problems = await problemsOf('list');
  await page.selectOption('select[name=unit]', 't-qionghu');
  await page.fill('input[name=q]', '罗');
  await submit('筛选');
  expect(await page.locator('#accounts tbody tr').count()).toBe(1);
  problems.push(...(await problemsOf('list-filtered')));
  expect(problems).toEqual([]);
});

test('开通账号 by tapping: the made-up password is on screen, once', async () => {
  await page.goto(`${stack.baseUrl}/accounts`);
  await Promise.all([page.waitForURL(/\/accounts\/p-hx-cadre1/), page.click('#person-p-hx-cadre1 a:text("开通账号")')]);
  await submit('开通账号');
  expect(await page.innerText('#new-password code')).toMatch(/^[a-z2-9]{12}$/);
  expect(await problemsOf('opened')).toEqual([]);
});

test('重置密码 and 停用 ask for the tick first, then work; an error reads in Chinese', async () => {
  await page.goto(`${stack.baseUrl}/accounts/p-xhz-cadre1`);
  expect(await problemsOf('person')).toEqual([]);
  // Without the tick the browser does not send the form (the server refuses it too, see tests/http/accountsPage.test.ts).
  expect(await page.getAttribute('#reset input[name=confirm]', 'required')).not.toBeNull();

  await page.fill('#reset input[name=password]', 'short');
  await page.fill('#reset input[name=password2]', 'short');
  await page.check('#reset input[name=confirm]');
  await submit('确认重置密码');
  expect(await page.innerText('.error')).toContain('密码(password)至少 8 位');
  expect(await problemsOf('reset-refused')).toEqual([]);

  await page.fill('#reset input[name=password]', 'phone-password-1');
  await page.fill('#reset input[name=password2]', 'phone-password-1');
  await page.check('#reset input[name=confirm]');
  await submit('确认重置密码');
  expect(await page.innerText('.notice')).toContain('已重置密码');

  await page.check('#disable input[name=confirm]');
  await submit('确认停用');
  expect(await page.innerText('.notice')).toContain('已停用账号');
  expect(await page.innerText('#facts')).toContain('已停用');
  expect(await page.locator('#enable button').isVisible()).toBe(true);
  expect(await problemsOf('disabled')).toEqual([]);
});
