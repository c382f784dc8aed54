import { chromium, type BrowserContext, type LaunchOptions } from 'playwright-core';
import { ZONE } from '../../src/shared/zone';

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
