import type { HttpConfig } from '../config';
import type {} from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { SessionStore } from '../auth/sessions';
import type { SignInAccounts } from '../services/accounts';
import type { ServerContext } from '../services/serverContext';
import type { ApiRegistry } from './route';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook from the session cookie or the bearer token; absent when not signed in. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (login, assets, OpenAPI, private feed URLs that carry their own token). */
    public?: boolean;
    /** An HTML page: an anonymous visitor is sent to the login page instead of getting 401 JSON. */
    page?: boolean;
  }
}

export type HttpOptions = HttpConfig['options'];

/** Everything a route plugin may use. */
export interface HttpDeps {
  services: ServerContext;
  accounts: SignInAccounts;
  sessions: SessionStore;
  /** Routes registered through it are validated with zod and listed in /openapi.json. */
  api: ApiRegistry;
  log: Logger;
  options: HttpOptions;
}

/** A group of routes. Core routes and other features' routes (e.g. the ICS feed) have this shape. */
export type RoutePlugin = (app: FastifyInstance, deps: HttpDeps) => void | Promise<void>;
