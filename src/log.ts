import pino, { type Logger } from 'pino';
import { logSettings } from './config';

/**
 * JSON logs for machines, pretty ones on a terminal. Callers log ids only (task, person, unit ids),
 * never names, contacts or ID-card numbers.
 */
export function createLogger(name: string, level: string = logSettings().level): Logger {
  const pretty = process.stdout.isTTY && !logSettings().json;
  return pino({
    name,
    level,
    base: { name },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
