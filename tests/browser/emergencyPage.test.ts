import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { BrowserContext, Page } from 'playwright-core';
import { listEmergencies } from '../../src/services/emergencies';
import { ZONE } from '../../src/shared/zone';
import { startStack, type Stack } from '../http/stack';
import { launchChromium, PHONE, signInAt } from '../support/browser';

/** 紧急情况 in a real browser on a phone: from 职责, tick two townships, see the count, confirm, lift. */

let stack: Stack;
let profile: string;
let browser: BrowserContext;
let page: Page;
const day = (n: number) => DateTime.now().setZone(ZONE).plus({ days: n }).toISODate() ?? '';

beforeAll(async () => {
  profile = mkdtempSync(path.join(os.tmpdir(), 'duty-chromium-'));
  [stack, browser] = await Promise.all([startStack({ people: ['p-admin'] }), launchChromium(profile, { viewport: PHONE })]);
  page = browser.pages()[0] ?? (await browser.newPage());
  await signInAt(page, stack.baseUrl, 'p-admin');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(profile, { recursive: true, force: true });
});

test('an admin suspends two townships from the 职责 page on a phone, confirms the count, and lifts it', async () => {
  await page.goto(`${stack.baseUrl}/duties`);
  await Promise.all([page.waitForURL(/\/emergencies$/), page.click('a[href="/emergencies"]')]);
  await page.check('#suspend input[value="t-qionghu"]');
  await page.check('#suspend input[value="t-yanzhihu"]');
  await page.fill('#suspend input[name=from]', day(1));
  await page.fill('#suspend input[name=to]', day(5));
  await page.fill('#suspend input[name=reason]', '洞庭湖汛期防汛');
  await Promise.all([page.waitForEvent('load'), page.click('#suspend button[type=submit]')]);
  expect(await page.innerText('#confirm')).toContain('将涉及未办结任务');
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth })');
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  expect(await listEmergencies(stack.services)).toEqual([]);

  await Promise.all([page.waitForURL(/ok=suspended/), page.click('#confirm button[type=submit]')]);
  expect(await page.innerText('#emergencies')).toContain('洞庭湖汛期防汛');
  expect((await listEmergencies(stack.services))[0]).toMatchObject({ units: ['t-qionghu', 't-yanzhihu'], from: day(1), to: day(5) });

  await Promise.all([page.waitForURL(/ok=lifted/), page.click('#emergencies button:text("撤销")')]);
  expect(await page.innerText('#emergencies')).toContain('已撤销');
});
