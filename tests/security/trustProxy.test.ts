import { httpSettings } from '../../src/config';
import { request } from '../http/client';
import { startSignInServer, type SignInServer } from './signInServer';

/** Finding 10: behind a reverse proxy every client came from the proxy's address, so all shared one login bucket. */

/** Two wrong passwords from each of two clients, through the proxy on 127.0.0.1, with a limit of two a minute. */
async function bucketsSeen(server: SignInServer): Promise<number[]> {
  const attempt = (client: string) =>
    request(server.base, 'POST', '/api/login', { json: { personId: 'p-admin', password: 'wrong-password' }, headers: { 'x-forwarded-for': client } });
  const codes: number[] = [];
  for (const client of ['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.2']) codes.push((await attempt(client)).status);
  return codes;
}

async function withServer(env: Record<string, string>, probe: (server: SignInServer) => Promise<number[]>): Promise<number[]> {
  const { options } = httpSettings(env);
  const server = await startSignInServer({ passwords: { 'p-admin': 'admin-password' }, options: { ...options, loginRateLimit: { max: 2, timeWindowMs: 60_000 } } });
  try {
    return await probe(server);
  } finally {
    await server.stop();
  }
}

test('with DUTY_TRUST_PROXY naming the proxy, each forwarded client has its own login bucket', async () => {
  expect(await withServer({ DUTY_TRUST_PROXY: '127.0.0.1' }, bucketsSeen)).toEqual([401, 401, 401, 401]);
  expect(await withServer({ DUTY_TRUST_PROXY: 'true' }, bucketsSeen)).toEqual([401, 401, 401, 401]);
});

test('off by default: X-Forwarded-For is not believed and everybody behind the proxy shares one bucket', async () => {
  expect(await withServer({}, bucketsSeen)).toEqual([401, 401, 429, 429]);
  expect(await withServer({ DUTY_TRUST_PROXY: '10.0.0.0/8' }, bucketsSeen)).toEqual([401, 401, 429, 429]);
});

test('the setting takes addresses, CIDR ranges and proxy-addr’s names, and names itself when refusing a value', () => {
  expect(httpSettings({}).options.trustProxy).toBe(false);
  expect(httpSettings({ DUTY_TRUST_PROXY: 'false' }).options.trustProxy).toBe(false);
  expect(httpSettings({ DUTY_TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8,loopback ' }).options.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
  for (const bad of ['yes', '1', '10.0.0.0/33', '127.0.0.1,', 'proxy.example']) {
    expect(() => httpSettings({ DUTY_TRUST_PROXY: bad })).toThrow(/^环境变量 DUTY_TRUST_PROXY /);
  }
  expect(() => httpSettings({ DUTY_TRUST_PROXY: '2' })).toThrow('不支持跳数');
});
