import { InvalidArgumentError } from 'commander';
import { DateTime } from 'luxon';
import { ZONE } from '../shared/zone';

/** Commander option parsers: a bad value stops the command before anything is read or written. */
export function localDate(value: string): string {
  const d = DateTime.fromFormat(value, 'yyyy-MM-dd', { zone: ZONE });
  if (!d.isValid) throw new InvalidArgumentError(`日期必须是有效的 YYYY-MM-DD,收到 "${value}"`);
  return value;
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`必须是 ${values.join(' / ')} 之一,收到 "${value}"`);
    return value as T;
  };
}

/** `--field key=value`, repeatable. */
export function collectField(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--field 的格式是 key=value,收到 "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}
