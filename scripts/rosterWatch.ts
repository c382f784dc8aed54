import type { Logger } from 'pino';
import { applyRosterChange } from '../src/services/taskSteps';
import type { ServerContext } from '../src/services/serverContext';

/** How often the engine looks at roster.yaml; reading its modification time costs next to nothing. */
const ROSTER_CHECK_MS = 30_000;

/**
 * The engine re-reads the roster when its file changes (the catalog source does that); here the open tasks of
 * people who left or moved units pass on by 转办 as soon as it does, not at the next `duty apply`.
 */
export function watchRoster(ctx: ServerContext, log: Logger, everyMs = ROSTER_CHECK_MS): () => void {
  let seen = ctx.source.tree();
  let busy = false;
  const check = async () => {
    const tree = ctx.source.tree();
    if (tree === seen || busy) return;
    busy = true;
    try {
      const { moved, stranded } = await applyRosterChange(ctx);
      seen = tree;
      log.info({ moved: moved.length, stranded: stranded.map((m) => m.taskId) }, 'roster changed; open tasks passed on');
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'roster changed but open tasks could not be passed on; retrying');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
