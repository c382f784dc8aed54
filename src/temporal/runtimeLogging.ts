import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from 'pino';
import { logSettings } from '../config';

let installed = false;

/** Routes the SDK's and the Rust core's logs through the project's pino logger; once per process. */
export function installRuntimeLogging(logger: Logger): void {
  if (installed) return;
  installed = true;
  const level = logSettings().sdkLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry: LogEntry) => {
      const method = entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      logger[method]({ ...entry.meta, sdk: true }, entry.message);
    }),
    telemetryOptions: { logging: { forward: {}, filter: `temporal_sdk_core=${level},temporal_client=${level}` } },
  });
}
