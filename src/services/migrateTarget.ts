import { existsSync, readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { type Env, processEnv, settings } from '../config';
import { TemporalUnreachableError, UsageError } from '../errors';
import { loadConnectionConfig, toConnectionOptions } from '../temporal/connection';
import { prepareNamespace } from '../temporal/namespaceReady';
import { dutyDataConverter } from '../temporal/payloadCodec';
import { loadPayloadKeys, type PayloadKeys } from '../temporal/payloadKeys';

/**
 * Where `duty migrate` copies to. The source is what every other `duty` command reaches (TEMPORAL_ADDRESS, default
 * the embedded server); the target is `--to` plus the variables of `--to-env` (the env file `npm run cluster -- up`
 * writes): its TLS files, namespace, task queue, payload key and database. Nothing from the shell applies to the
 * target, so a TEMPORAL_TLS_* meant for one side can never reach the other.
 */
export interface TargetOptions {
  to?: string;
  toEnv?: string;
  databaseUrl?: string;
}

export interface Target {
  address: string;
  namespace: string;
  taskQueue: string;
  databaseUrl?: string;
  keys: PayloadKeys;
  client: Client;
  close(): Promise<void>;
}

const TLS_FILES = ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'] as const;
const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;
const DB_URL = /^postgres(ql)?:\/\/[^\s]+$/;

/** KEY=value lines as `npm run cluster -- up` writes them (shell syntax: values may be single-quoted). */
export function readEnvFile(file: string): Env {
  if (!existsSync(file)) throw new UsageError(`--to-env: 文件不存在: ${file}`);
  const env: Record<string, string> = {};
  for (const [i, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new UsageError(`--to-env ${file} 第 ${i + 1} 行不是 KEY=value`);
    env[m[1] as string] = unquote(m[2] as string);
  }
  return env;
}

function unquote(value: string): string {
  if (!value.startsWith("'")) return value;
  return value.slice(1, -1).replaceAll(`'\\''`, "'");
}

/** Checks every option before anything connects: a wrong flag is named, not reported as a gRPC failure. */
export function targetSettings(opts: TargetOptions): { env: Env; address: string; databaseUrl?: string } {
  const fileEnv = opts.toEnv ? readEnvFile(opts.toEnv) : {};
  const address = opts.to ?? fileEnv.TEMPORAL_ADDRESS;
  if (!address) throw new UsageError('必须用 --to <主机:端口> 指定目标集群的 Temporal 前端地址');
  if (!ADDRESS.test(address)) throw new UsageError(`--to: 地址应为 主机:端口(如 127.0.0.1:7233),收到 ${JSON.stringify(address)}`);
  const where = opts.toEnv ? `--to-env ${opts.toEnv}` : '';
  for (const name of TLS_FILES) {
    const file = fileEnv[name];
    if (file && !existsSync(file)) throw new UsageError(`${where} 中 ${name} 指向的文件不存在: ${file}`);
  }
  const databaseUrl = opts.databaseUrl ?? fileEnv.DUTY_DATABASE_URL;
  if (databaseUrl !== undefined && !DB_URL.test(databaseUrl)) {
    throw new UsageError(`${opts.databaseUrl !== undefined ? '--database-url' : `${where} 中 DUTY_DATABASE_URL`} 应为 postgresql://用户:密码@主机:端口/库名`);
  }
  return { env: { ...fileEnv, TEMPORAL_ADDRESS: address }, address, ...(databaseUrl ? { databaseUrl } : {}) };
}

/**
 * Connects to the target and readies its namespace (search attributes registered). Payloads are written with the
 * target's key when the env file names one (the cluster's own), otherwise with the source's: either way the
 * target's workers must hold that key.
 */
export async function connectTarget(opts: TargetOptions, dataDir = settings().dataDir): Promise<Target> {
  const { env, address, databaseUrl } = targetSettings(opts);
  const config = loadConnectionConfig({ env });
  const keys = env.DUTY_PAYLOAD_KEY ? loadPayloadKeys(env, dataDir) : loadPayloadKeys(processEnv(), dataDir);
  const connection = Connection.lazy({ ...toConnectionOptions(config), connectTimeout: 10_000 });
  try {
    await connection.ensureConnected();
    await prepareNamespace(connection, config.namespace);
  } catch (err) {
    await connection.close();
    const why = err instanceof Error ? err.message : String(err);
    throw new TemporalUnreachableError(`--to: 无法连接目标 Temporal ${address}(命名空间 ${config.namespace}): ${why}${config.tls ? '' : '。目标启用了 mTLS 时请用 --to-env 给出证书'}`, { cause: err });
  }
  const client = new Client({ connection, namespace: config.namespace, dataConverter: dutyDataConverter(keys) });
  return {
    address,
    namespace: config.namespace,
    taskQueue: env.DUTY_TASK_QUEUE ?? 'duty-engine',
    ...(databaseUrl ? { databaseUrl } : {}),
    keys,
    client,
    close: () => connection.close(),
  };
}
