import { DateTime } from 'luxon';
import { ZONE } from '../shared/zone';

/** Resident ID numbers (居民身份证号码, GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence, check character. */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function checkCharacter(first17: string): string {
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * (WEIGHTS[i] ?? 0), 0);
  return CHECK[sum % 11] ?? '?';
}

/** Why the number is not a valid ID number, or undefined when it is. `today` bounds the birth date. */
export function idNumberProblem(value: string, today: string): string | undefined {
  if (!/^\d{17}[\dXx]$/.test(value)) return '应为 18 位: 17 位数字加 1 位校验码(数字或 X)';
  if (!/^[1-8]\d{5}/.test(value)) return '前 6 位行政区划代码无效';
  const birth = DateTime.fromFormat(value.slice(6, 14), 'yyyyMMdd', { zone: ZONE });
  if (!birth.isValid || birth.year < 1900 || (birth.toISODate() ?? '') > today) return '第 7–14 位出生日期无效';
  const expected = checkCharacter(value.slice(0, 17));
  if (value[17]?.toUpperCase() !== expected) return '校验码不符';
  return undefined;
}

/** 430981********1234: region and last four kept, the birth date hidden; short or odd values hide more. */
export function maskIdNumber(value: string): string {
  const v = value.trim();
  if (v.length >= 14) return `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}`;
  if (v.length > 4) return `${'*'.repeat(v.length - 4)}${v.slice(-4)}`;
  return '*'.repeat(v.length);
}

/** 张*, 欧阳** : the family name stays, the given name is hidden. */
export function maskName(value: string): string {
  const chars = [...value.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}
