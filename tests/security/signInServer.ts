import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { accountStore, type AccountStore } from '../../src/auth/accounts';
import { loginAttempts } from '../../src/auth/loginAttempts';
import { sessionStore } from '../../src/auth/sessions';
import { settings, type HttpConfig } from '../../src/config';
import { buildServer } from '../../src/http/server';
import { ServerContext } from '../../src/services/serverContext';
import type { StoreBackend } from '../../src/store/backend';
import type { PgDatabase } from '../../src/store/pg/database';
import { request, type Reply } from '../http/client';

/**
 * The real HTTP server on a loopback port, for what needs no Temporal (signing in, redirects, files on disk, the
 * client address): the Temporal client is never asked for, as in tests/http/auth.test.ts.
 */
export interface SignInServer {
  base: string;
  dataDir: string;
  accounts: AccountStore;
  /** Signs in through the form and returns the answer. */
  formLogin(personId: string, password: string, extra?: { next?: string; headers?: Record<string, string> }): Promise<Reply>;
  stop(): Promise<void>;
}

/** `db`: accounts, sessions and login attempts in that database (one replica of several), else files in `dataDir`. */
export async function startSignInServer(o: { passwords: Record<string, string>; options?: Partial<HttpConfig['options']>; db?: PgDatabase }): Promise<SignInServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'duty-security-'));
  const backend: StoreBackend = o.db ? { kind: 'postgres', db: o.db, dataDir } : { kind: 'files', dataDir };
  const accounts = accountStore(backend, 4);
  for (const [personId, password] of Object.entries(o.passwords)) await accounts.setPassword(personId, password);
  const app = await buildServer({
    services: new ServerContext({ ...settings(), dataDir }, undefined as never),
    accounts,
    sessions: sessionStore(backend),
    loginAttempts: loginAttempts(backend),
    log: pino({ level: 'silent' }),
    options: { secureCookies: false, loginRateLimit: { max: 100, timeWindowMs: 60_000 }, ...o.options },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    base,
    dataDir,
    accounts,
    formLogin: (personId, password, extra = {}) =>
      request(base, 'POST', '/login', { form: { personId, password, ...(extra.next === undefined ? {} : { next: extra.next }) }, headers: extra.headers ?? {} }),
    async stop() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
