import { scopeOf, type Viewer } from '../auth/policy';
import { auditLog, type ServiceContext } from './context';
import { dashboardFor, type Dashboard, type DashboardOptions } from './dashboard';

/**
 * Supervisors of one scope share one computed dashboard for a short while: a meeting room reloading the county's
 * should not have it computed again each time (several hundred count queries until the index of open tasks is built,
 * a catch-up with visibility after that). Any change made through the CLI or the
 * web appends to the audit log, so where the log ends is part of the key and such a change is visible at once;
 * what the worker changes by itself (a deadline passing, a new period) shows within `ttlMs`.
 * Visibility trails a change by a moment, so a dashboard computed just after one is not kept.
 */
const VISIBILITY_SETTLE_MS = 5_000;

export class DashboardCache {
  private readonly entries = new Map<string, { at: number; value: Promise<Dashboard> }>();

  constructor(
    private readonly ctx: ServiceContext,
    readonly ttlMs = 30_000,
  ) {}

  async get(viewer: Viewer, opts: Omit<DashboardOptions, 'now'>): Promise<Dashboard> {
    if (this.ttlMs <= 0) return dashboardFor(this.ctx, viewer, opts);
    const tree = await this.ctx.tree();
    const audit = await (await auditLog(this.ctx)).end();
    const key = JSON.stringify([scopeOf(tree, viewer), opts.dutyId, opts.period, opts.flags, opts.unitId, audit.cursor]);
    const now = Date.now();
    if (audit.at !== undefined && now - audit.at < VISIBILITY_SETTLE_MS) return dashboardFor(this.ctx, viewer, opts);
    for (const [k, e] of this.entries) if (now - e.at > this.ttlMs) this.entries.delete(k);
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const value = dashboardFor(this.ctx, viewer, opts);
    this.entries.set(key, { at: now, value });
    // A failed computation must not be served from the cache.
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
