import { emergencyPages } from './pages/emergencyPage';
import { feedTokens } from '../feeds/tokens';
import { storeBackend } from '../store/backend';
import { evidenceRoutes } from './api/evidence';
import { accountsPages } from './pages/accountsPage';
import { icsOpenApiPaths, icsRoutes, openTasksFrom } from './ics';
import type { RoutePlugin } from './types';

/**
 * For routes that carry their own credential (a private feed URL): they are registered in a child context whose
 * routes are all marked public, so the session check lets them through and they answer for themselves.
 */
export function publicRoutes(plugin: RoutePlugin): RoutePlugin {
  return async (app, deps) => {
    await app.register(async (child) => {
      child.addHook('onRoute', (route) => {
        route.config = { ...(route.config ?? {}), public: true };
      });
      await plugin(child, deps);
    });
  };
}

/** The ICS calendar feed (src/http/ics.ts): `GET /feeds/<token>.ics`, tokens from `duty feed create`. */
const feedRoutes: RoutePlugin = async (app, deps) => {
  deps.api.addPaths(icsOpenApiPaths);
  icsRoutes(app, {
    tokens: feedTokens(await storeBackend(deps.services.settings)),
    roster: () => deps.services.source.tree(),
    openTasks: openTasksFrom(await deps.services.temporal()),
  });
};

/**
 * Route plugins of other features, registered after the core ones: one entry each. A plugin with its own signature
 * gets a small adapter here, as the feed does; one that must work without signing in is wrapped in `publicRoutes`.
 */
export const featureRoutes: RoutePlugin[] = [publicRoutes(feedRoutes), evidenceRoutes, accountsPages, emergencyPages];
