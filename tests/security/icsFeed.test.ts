import ical, { type VEvent } from 'node-ical';
import { httpSettings, publicBaseUrl } from '../../src/config';
import { feedTokens, feedUrl } from '../../src/feeds/tokens';
import { request } from '../http/client';
import { login, startStack, type Stack } from '../http/stack';

/**
 * The calendar feed told people to run `npm run duty -- task complete …` (a developer's command, meaningless on a
 * phone), its default links pointed at no server at all, and its URL (the token is the credential) could leak
 * through the Referer header. Now events link to the task page on the address the server listens on, and the feed
 * answers with `Referrer-Policy: no-referrer`.
 */
describe('publicBaseUrl without DUTY_PUBLIC_URL is the listen address', () => {
  test.each([{}, { DUTY_HTTP_PORT: '9090' }, { DUTY_HTTP_HOST: '10.0.0.5', DUTY_HTTP_PORT: '8081' }])('%j', (env) => {
    const { host, port } = httpSettings(env).listen;
    expect(publicBaseUrl(env)).toBe(`http://${host}:${port}`);
  });

  test('the defaults are 127.0.0.1:8080', () => {
    expect(publicBaseUrl({})).toBe('http://127.0.0.1:8080');
    expect(feedUrl('abc', {})).toBe('http://127.0.0.1:8080/feeds/abc.ics');
  });

  test('an IPv6 host is bracketed', () => {
    const { port } = httpSettings({ DUTY_HTTP_HOST: '::1' }).listen;
    expect(publicBaseUrl({ DUTY_HTTP_HOST: '::1' })).toBe(`http://[::1]:${port}`);
  });

  test('DUTY_PUBLIC_URL wins when set, without its trailing slash', () => {
    const env = { DUTY_PUBLIC_URL: 'https://duty.example.org/', DUTY_HTTP_HOST: '10.0.0.5', DUTY_HTTP_PORT: '8081' };
    expect(publicBaseUrl(env)).toBe('https://duty.example.org');
    expect(feedUrl('abc', env)).toBe('https://duty.example.org/feeds/abc.ics');
  });
});

describe('the feed on a real server', () => {
  const CADRE = 'p-xhz-cadre1';
  const TASK = 'task:three-assets-disclosure:2026-Q3:v-xiaohezui';
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ people: [CADRE] });
    await stack.openPeriod('three-assets-disclosure', '2026-Q3');
  }, 90_000);

  afterAll(() => stack?.stop());

  test('a feed URL built without DUTY_PUBLIC_URL reaches the server, is not referred onward, and links to the task page', async () => {
    const token = await feedTokens({ kind: 'files', dataDir: stack.settings.dataDir }).create(CADRE);
    const port = new URL(stack.baseUrl).port;
    const url = feedUrl(token, { DUTY_HTTP_PORT: port });
    expect(url).toBe(`${stack.baseUrl}/feeds/${token}.ics`);

    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    expect(feed.headers.get('referrer-policy')).toBe('no-referrer');
    expect(feed.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await feed.text();
    // Long lines are folded (CRLF + space); unfold before looking for text.
    const unfolded = body.replace(/\r\n[ \t]/g, '');
    expect(unfolded).not.toMatch(/npm/i);
    expect(unfolded).toContain('/tasks/');

    const events = Object.values(ical.sync.parseICS(body)).filter((c): c is VEvent => c?.type === 'VEVENT');
    const event = events.find((e) => e.uid === `${TASK}@duty-engine`);
    expect(event).toBeDefined();
    const link = `${publicBaseUrl(process.env)}/tasks/${encodeURIComponent(TASK)}`;
    expect(event?.description).toContain(`办理(签收、反馈、登记完成):${link}`);
    // URL;VALUE=URI:… comes back from node-ical as { params, val }.
    const eventUrl = (event as unknown as { url?: string | { val: string } }).url;
    expect(typeof eventUrl === 'object' ? eventUrl.val : eventUrl).toBe(link);

    // The route registered with the process's own settings; its path is what a phone opens on this server.
    const { pathname } = new URL(link);
    expect(pathname).toBe(`/tasks/${encodeURIComponent(TASK)}`);
    const signedOut = await request(stack.baseUrl, 'GET', pathname);
    expect(signedOut.status).toBe(303);
    const location = String(signedOut.headers.location);
    expect(location).toMatch(/^\/login\?next=/);
    expect(decodeURIComponent(new URL(location, stack.baseUrl).searchParams.get('next') ?? '')).toBe(`/tasks/${TASK}`);

    const cookie = await login(stack.baseUrl, CADRE);
    const page = await request(stack.baseUrl, 'GET', pathname, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('三资');
  });
});
