import { chromium, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';
import { ZONE } from '../../src/shared/zone';
import { PASSWORD } from '../http/stack';

/** A phone's screen, as the page tests hold every page to it. */
export const PHONE = { width: 375, height: 812 };

/**
 * The machine's Debian Chromium with a throw-away profile, speaking Chinese in the county's time zone, quiet on the
 * network (only 127.0.0.1 is ever asked for). `extra` adds what one test needs: a viewport, downloads.
 */
export function launchChromium(profile: string, extra: Parameters<typeof chromium.launchPersistentContext>[1] = {}): Promise<BrowserContext> {
  const args: LaunchOptions['args'] = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
  return chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args, locale: 'zh-CN', timezoneId: ZONE, ...extra });
}

/** Signs in through the login page as `personId` (test password) and waits until the page has left /login. */
export async function signInAt(page: Page, baseUrl: string, personId: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=personId]', personId);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}
