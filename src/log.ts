import pino, { type Logger } from 'pino';

/**
 * JSON logs for machines, pretty ones on a terminal. Callers log ids only (task, person, unit ids),
 * never names, contacts or ID-card numbers.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    base: { name },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
