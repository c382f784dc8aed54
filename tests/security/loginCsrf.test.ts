import { request } from '../http/client';
import { startSignInServer, type SignInServer } from './signInServer';

/** Finding 5: a cross-site page auto-submitting POST /login signed the victim in as the attacker. */
let server: SignInServer;

beforeAll(async () => {
  server = await startSignInServer({ passwords: { 'p-qh-cadre1': 'attacker-password' } });
});

afterAll(() => server.stop());

const REFUSED = '请求来源与本站不符,已拒绝';

test('a login form posted from another site is refused with a Chinese page and sets no cookie', async () => {
  const fromOrigin = await server.formLogin('p-qh-cadre1', 'attacker-password', { headers: { origin: 'https://evil.example' } });
  const fromFetchMetadata = await server.formLogin('p-qh-cadre1', 'attacker-password', { headers: { 'sec-fetch-site': 'cross-site' } });
  for (const refused of [fromOrigin, fromFetchMetadata]) {
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.text).toContain(REFUSED);
    expect(refused.headers['set-cookie']).toBeUndefined();
  }
});

test('the JSON login refuses another site too', async () => {
  const res = await request(server.base, 'POST', '/api/login', { json: { personId: 'p-qh-cadre1', password: 'attacker-password' }, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
  expect(res.status).toBe(403);
  expect(res.json()).toEqual({ error: REFUSED });
  expect(res.headers['set-cookie']).toBeUndefined();
});

test('the site’s own form and clients that send no origin still sign in', async () => {
  const own = await server.formLogin('p-qh-cadre1', 'attacker-password', { headers: { origin: server.base, 'sec-fetch-site': 'same-origin' } });
  expect(own.status).toBe(303);
  expect(String(own.headers['set-cookie'])).toMatch(/^duty_sid=/);
  const script = await request(server.base, 'POST', '/api/login', { json: { personId: 'p-qh-cadre1', password: 'attacker-password' } });
  expect(script.status).toBe(200);
});
