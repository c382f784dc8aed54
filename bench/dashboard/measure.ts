import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export interface Timing {
  median: number;
  p90: number;
  min: number;
  max: number;
  runs: number;
}

export function timing(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return { median: at(0.5), p90: at(0.9), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, runs: s.length };
}

/** Wall time of a whole GET (status, headers and body) as a script or a proxy would see it. */
export async function httpTimes(url: string, cookie: string, runs: number): Promise<{ first: number; warm: Timing; bytes: number }> {
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return { ms: performance.now() - t, bytes: body.byteLength };
  };
  const first = await once();
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) warm.push((await once()).ms);
  return { first: first.ms, warm: timing(warm), bytes: first.bytes };
}

export interface BrowserRun {
  ttfb: Timing;
  domContentLoaded: Timing;
  load: Timing;
  assets: { url: string; type: string; bytes: number; gzipBytes: number }[];
}

/** Navigation timing of the page in Debian's chromium, signed in through the login form like a person would. */
export async function browserTimes(base: string, path: string, personId: string, password: string, runs: number): Promise<BrowserRun> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/login`);
    await page.fill('input[name=personId]', personId);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    const assets = new Map<string, { url: string; type: string; bytes: number; gzipBytes: number }>();
    page.on('response', (r) => {
      void r.body().then(
        (b) => assets.set(r.url(), { url: r.url().replace(base, ''), type: r.headers()['content-type'] ?? '', bytes: b.length, gzipBytes: gzipSync(b).length }),
        () => undefined,
      );
    });
    const ttfb: number[] = [];
    const dcl: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(`${base}${path}`, { waitUntil: 'load' });
      // A string, because this runs in the page and the project compiles against Node's types, not the DOM's.
      const nav = (await page.evaluate(
        `(() => { const e = performance.getEntriesByType('navigation')[0]; return { ttfb: e.responseStart - e.startTime, dcl: e.domContentLoadedEventEnd - e.startTime, load: e.loadEventEnd - e.startTime }; })()`,
      )) as { ttfb: number; dcl: number; load: number };
      ttfb.push(nav.ttfb);
      dcl.push(nav.dcl);
      load.push(nav.load);
    }
    return { ttfb: timing(ttfb), domContentLoaded: timing(dcl), load: timing(load), assets: [...assets.values()].filter((a) => a.url.startsWith(path) || a.url.startsWith('/assets/')) };
  } finally {
    await browser.close();
  }
}
