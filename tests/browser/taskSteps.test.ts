import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/auth/policy';
import { REPO_ROOT } from '../../src/config';
import { showTask } from '../../src/services/tasks';
import { jpegWithExif, pdf } from '../evidence/fixtures';
import { startStack, type Stack } from '../http/stack';
import { currentQuarter, datesAfter, REVIEWED, stepEnv, type StepDates, type StepEnv } from '../http/stepFixtures';
import { launchChromium, PHONE, signInAt } from '../support/browser';

/**
 * The 督办 steps on a 375 px phone, in a real browser: every form of every role fits the screen and speaks Chinese,
 * a refusal comes back next to its field, and the steps run from the buttons a cadre and a supervisor press.
 */

const SHOTS = path.join(REPO_ROOT, 'artifacts', 'phone-steps');
const QUARTER = currentQuarter();
const TASK = `task:${REVIEWED}:${QUARTER}:v-xiaohezui`;
const URL_PATH = `/tasks/${encodeURIComponent(TASK)}`;
const LONG_NOTE = `已入户走访并在公开栏张贴,编号 XHZ-${'0123456789'.repeat(8)},${'群众无异议,'.repeat(20)}`;
/** Words of untranslated framework or validator text; body text must contain none of them. */
const ENGLISH = /\b(error|bad request|not found|forbidden|unauthorized|too long|undefined|null|NaN|expected|record|invalid|required|level|object Object)\b/i;

let env: StepEnv;
let stack: Stack;
let dates: StepDates;
let profile: string;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  env = stepEnv();
  profile = mkdtempSync(path.join(os.tmpdir(), 'duty-chromium-'));
  [stack, browser] = await Promise.all([
    startStack({ people: ['p-admin', 'p-qh-sup', 'p-xhz-cadre1'] }),
    launchChromium(profile),
  ]);
  await stack.openPeriod(REVIEWED, QUARTER);
  page = browser.pages()[0] ?? (await browser.newPage());
  dates = datesAfter((await showTask(stack.services, OPERATOR, TASK)).dueOn);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  env?.restore();
  rmSync(profile, { recursive: true, force: true });
});

async function signIn(personId: string): Promise<void> {
  await page.context().clearCookies();
  await page.setViewportSize(PHONE);
  await signInAt(page, stack.baseUrl, personId);
}

/** Opens a folded step as a tap on its title would, unless it is open already. */
async function unfold(selector: string): Promise<void> {
  if (!(await page.$eval(selector, (d) => (d as unknown as { open: boolean }).open))) await page.click(`${selector} > summary`);
}

/** Opens every folded step, then: nothing wider than the screen, no English, a screenshot to look at. */
async function problemsOf(name: string): Promise<string[]> {
  await page.evaluate("document.querySelectorAll('details.step').forEach((d) => { d.open = true; })");
  const found: string[] = [];
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth })');
  if (scrollWidth > innerWidth) found.push(`${name}: 页面宽 ${scrollWidth}px`);
  const wide = await page.$$eval('main input, main select, main textarea, main button', (els, w) => els.filter((e) => e.getBoundingClientRect().right > w).map((e) => e.outerHTML.slice(0, 80)), PHONE.width);
  found.push(...wide.map((w) => `${name}: 超出屏幕 ${w}`));
  const english = (await page.innerText('body')).match(ENGLISH);
  if (english) found.push(`${name}: 出现英文 "${english[0]}"`);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  return found;
}

test('the cadre signs for the task, and a refused extension request comes back with the text kept, on a phone', async () => {
  await signIn('p-xhz-cadre1');
  await page.goto(`${stack.baseUrl}${URL_PATH}`);
  expect(await problemsOf('cadre-task')).toEqual([]);
  await Promise.all([page.waitForURL(/ok=acknowledged/), page.click('#ack button')]);
  expect(await page.textContent('.notice')).toBe('已签收此任务');
  expect(await page.locator('#ack').count()).toBe(0);

  // Progress with a photo from the phone: a thumbnail the browser decodes; when and where it was taken is for supervisors.
  const photo = path.join(profile, `公开栏照片-${'很长的文件名'.repeat(6)}.jpg`);
  writeFileSync(photo, jpegWithExif({ takenAt: '2026:11:30 10:15:30', latitude: [28, 50, 30], longitude: [112, 21, 0] }));
  await unfold('#progress');
  await page.fill('#progress textarea[name=note]', LONG_NOTE);
  await page.setInputFiles('#progress input[type=file]', photo);
  await Promise.all([page.waitForURL(/ok=progress/), page.click('#progress button[type=submit]')]);
  // Lazily loaded: the browser fetches and decodes it after the page (no waitForFunction: the page's CSP forbids eval).
  await page.locator('ul.evidence img').scrollIntoViewIfNeeded();
  const decoded = async () => page.$eval('ul.evidence img', (img) => {
    const i = img as unknown as { complete: boolean; naturalWidth: number };
    return i.complete && i.naturalWidth;
  });
  for (let i = 0; i < 40 && !(await decoded()); i++) await page.waitForTimeout(100);
  expect(await decoded()).toBe(1);
  expect(await page.innerText('#task-progress')).toContain('群众无异议');
  expect(await page.innerText('main')).not.toContain('拍摄于');
  expect(await problemsOf('cadre-progress')).toEqual([]);

  await unfold('#extension');
  await page.fill('#extension input[name=dueOn]', dates.weekend);
  await page.fill('#extension textarea[name=reason]', '村委换届,台账待移交');
  await page.click('#extension button[type=submit]');
  expect(await page.textContent('#extension .field-error')).toContain(`${dates.weekend} 不是工作日`);
  expect(await page.inputValue('#extension textarea[name=reason]')).toBe('村委换届,台账待移交');
  expect(await problemsOf('cadre-extension-refused')).toEqual([]);
  await page.fill('#extension input[name=dueOn]', dates.workdays[1]);
  await Promise.all([page.waitForURL(/ok=extensionRequested/), page.click('#extension button[type=submit]')]);
  expect(await page.textContent('#extension-pending')).toContain(dates.workdays[1]);
});

test('the supervisor approves a shorter extension and sees where the photo was taken, on a phone', async () => {
  await signIn('p-qh-sup');
  await page.goto(`${stack.baseUrl}${URL_PATH}`);
  expect(await page.inputValue('#decision input[name=dueOn]')).toBe(dates.workdays[1]);
  expect(await page.innerText('#task-progress')).toContain('拍摄于 2026-11-30 10:15');
  expect(await problemsOf('supervisor-task')).toEqual([]);
  await page.fill('#decision input[name=dueOn]', dates.workdays[0]);
  await Promise.all([page.waitForURL(/ok=extensionApproved/), page.click('#decision button[value=approve]')]);
  expect(await page.innerText('#task-deadline')).toContain(dates.workdays[0]);
  expect(await page.innerText('#task-status')).toBe('待办·进行中·延期中');
});

test('the cadre completes with a file, the supervisor returns it, and the administrator sees every form fit', async () => {
  await signIn('p-xhz-cadre1');
  await page.goto(`${stack.baseUrl}${URL_PATH}`);
  const file = path.join(profile, '公开记录.pdf');
  writeFileSync(file, pdf());
  await page.fill('#complete input[name="f.disclosedOn"]', dates.today);
  await page.setInputFiles('#complete input[type=file]', file);
  await Promise.all([page.waitForURL(/ok=submitted/), page.click('button:text("提交完成")')]);
  expect(await page.innerText('#completion')).toContain('公开记录.pdf');

  await signIn('p-qh-sup');
  await page.goto(`${stack.baseUrl}${URL_PATH}`);
  expect(await problemsOf('supervisor-review')).toEqual([]);
  await page.click('#review button[value=return]');
  expect(await page.textContent('#review .field-error')).toBe('退回原因不能为空');
  await page.fill('#review textarea[name=reason]', '公开内容缺少资产部分');
  await Promise.all([page.waitForURL(/ok=returned/), page.click('#review button[value=return]')]);
  expect(await page.innerText('#task-returns')).toContain('公开内容缺少资产部分');

  await signIn('p-admin');
  await page.goto(`${stack.baseUrl}${URL_PATH}`);
  for (const form of ['#complete', '#progress', '#extension', '#reassign', '#waive']) expect(await page.locator(form).count()).toBe(1);
  expect(await problemsOf('admin-task')).toEqual([]);
});
