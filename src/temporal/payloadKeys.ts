import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { payloadKeySettings, type Env } from '../config';

/**
 * Keys for the payload codec. The current key encrypts; every listed key decrypts, so a key can be rotated
 * (new current key, old one kept for reading) without losing access to what the old one wrote.
 *
 * Sources, first match wins:
 *   DUTY_PAYLOAD_KEY=<base64 of 32 bytes> [DUTY_PAYLOAD_KEY_ID=<id>] [DUTY_PAYLOAD_OLD_KEYS=<id>:<base64>,…]
 *   DUTY_PAYLOAD_KEY=off          no encryption (tests and demos without household data)
 *   <DUTY_DATA_DIR>/payload-keys.json   written by `npm start` when nothing else is configured
 */
export interface PayloadKeys {
  current?: { id: string; key: Buffer };
  all: Map<string, Buffer>;
  /** Where the keys came from, for start-up lines and error messages; never the key itself. */
  source: string;
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

export const KEY_FILE_NAME = 'payload-keys.json';
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Derived from the key, so every process holding the same key agrees on its id without further configuration. */
export function keyIdOf(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function parseKey(base64: string, what: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new UsageError(`${what} 必须是 32 字节密钥的 base64 编码(可用 openssl rand -base64 32 生成),实际解出 ${key.length} 字节`);
  return key;
}

function checkId(id: string, what: string): string {
  if (!KEY_ID.test(id)) throw new UsageError(`${what} 的密钥编号 ${JSON.stringify(id)} 无效,只能含字母、数字、. _ -`);
  return id;
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

export function loadPayloadKeys(env: Env, dataDir: string): PayloadKeys {
  const all = new Map<string, Buffer>();
  const given = payloadKeySettings(env);
  const configured = given.key;
  if (configured === 'off') return { all, source: 'DUTY_PAYLOAD_KEY=off' };
  if (configured) {
    const key = parseKey(configured, 'DUTY_PAYLOAD_KEY');
    const id = checkId(given.keyId ?? keyIdOf(key), 'DUTY_PAYLOAD_KEY_ID');
    for (const entry of given.oldKeys.split(',').filter((e) => e.trim())) {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new UsageError('DUTY_PAYLOAD_OLD_KEYS 的格式是 <编号>:<base64>,多个用逗号分隔');
      all.set(checkId(entry.slice(0, colon).trim(), 'DUTY_PAYLOAD_OLD_KEYS'), parseKey(entry.slice(colon + 1), 'DUTY_PAYLOAD_OLD_KEYS'));
    }
    all.set(id, key);
    return { current: { id, key }, all, source: 'DUTY_PAYLOAD_KEY' };
  }
  const file = keyFilePath(dataDir);
  if (!existsSync(file)) return { all, source: 'none' };
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } catch (err) {
    throw new UsageError(`密钥文件 ${file} 无法解析: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const [id, b64] of Object.entries(parsed.keys ?? {})) all.set(checkId(id, file), parseKey(b64, `${file} keys.${id}`));
  const key = all.get(parsed.current);
  if (!key) throw new UsageError(`密钥文件 ${file} 的 current 指向不存在的密钥 ${JSON.stringify(parsed.current)}`);
  return { current: { id: parsed.current, key }, all, source: file };
}

/**
 * For the embedded default only: a fresh key in the git-ignored data folder, readable by its owner alone.
 * Returns whether one was created; an existing file is never replaced, since losing a key loses the data it wrote.
 */
export function ensureKeyFile(dataDir: string): { file: string; created: boolean } {
  const file = keyFilePath(dataDir);
  if (existsSync(file)) return { file, created: false };
  const key = randomBytes(32);
  const content: KeyFile = { current: keyIdOf(key), keys: { [keyIdOf(key)]: key.toString('base64') } };
  mkdirSync(dataDir, { recursive: true });
  // Written whole to a private temp file, then linked into place: a crash leaves no half key, and a second
  // process starting at the same moment keeps the first one's key instead of replacing it.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flush: true });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { file, created: false };
  } finally {
    rmSync(tmp, { force: true });
  }
  return { file, created: true };
}

/**
 * `npm start`: with the embedded server and no key configured, creates one in the data folder. Returns the line to
 * print, which names where the key lives but never the key.
 */
export function prepareStartKeys(env: Env, dataDir: string, embedded: boolean): string {
  if (!payloadKeySettings(env).key && embedded) {
    const { file, created } = ensureKeyFile(dataDir);
    if (created) return `载荷加密: 已生成密钥 ${file}(农户姓名、身份证号等在 Temporal 中加密保存;请备份此文件,丢失后无法读取已加密的数据)`;
  }
  const keys = loadPayloadKeys(env, dataDir);
  return keys.current
    ? `载荷加密: AES-256-GCM,密钥 ${keys.current.id}(来自 ${keys.source})`
    : `载荷加密: 未启用(${keys.source === 'none' ? '未设置 DUTY_PAYLOAD_KEY' : keys.source}),农户导入将被拒绝`;
}
