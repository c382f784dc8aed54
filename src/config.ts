import path from 'node:path';

/** Paths and names shared by `npm start`, the worker and the CLI; each can be overridden from the environment. */
export const REPO_ROOT = path.resolve(__dirname, '..');

export function settings(env: NodeJS.ProcessEnv = process.env) {
  const dataDir = path.resolve(env.DUTY_DATA_DIR ?? path.join(REPO_ROOT, '.data'));
  return {
    dataDir,
    catalogDir: path.resolve(env.DUTY_CATALOG_DIR ?? path.join(REPO_ROOT, 'catalog', 'default')),
    outboxDir: path.resolve(env.DUTY_OUTBOX_DIR ?? path.join(dataDir, 'outbox')),
    taskQueue: env.DUTY_TASK_QUEUE ?? 'duty-engine',
    /**
     * Sleeping tasks are replayed on wake-up, so the cache only needs the busy ones, which the worker's concurrency
     * bounds. Measured with 1k/10k/50k open tasks: RSS ~400 MB at 250, 600–740 MB at 1000 (README, Performance).
     */
    maxCachedWorkflows: Number(env.DUTY_MAX_CACHED_WORKFLOWS ?? 250),
    /** Off only for demos and end-to-end tests that run at any hour; urgent duties ignore it anyway. */
    quietHours: env.DUTY_QUIET_HOURS !== 'off',
  };
}

export type Settings = ReturnType<typeof settings>;
