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
     * Sleeping tasks are replayed on wake-up, so the cache only needs the busy ones (at most ~140 in flight with the
     * SDK's default concurrency). Each cached task costs ~0.4 MB of RSS: 250 keeps a worker with 10k open tasks near
     * 450 MB; 1000 costs ~300 MB more for ~15% lower herd lateness (README, Performance).
     */
    maxCachedWorkflows: Number(env.DUTY_MAX_CACHED_WORKFLOWS ?? 250),
    /** Off only for demos and end-to-end tests that run at any hour; urgent duties ignore it anyway. */
    quietHours: env.DUTY_QUIET_HOURS !== 'off',
  };
}

export type Settings = ReturnType<typeof settings>;
