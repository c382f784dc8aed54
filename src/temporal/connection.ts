import { Client, Connection, LOCAL_TARGET, type ClientOptions, type Metadata, type TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { TemporalUnreachableError } from '../errors';
import { dutyDataConverter } from './payloadCodec';
import { processEnv, type Env } from '../config';

export interface ConnectionConfig {
  address: string;
  namespace: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Metadata;
  /** True when an address came from TEMPORAL_ADDRESS or a config-file profile: then `npm start` must not start its own server. */
  explicit: boolean;
  /** Where the address came from, for the startup line and error messages. */
  origin: string;
}

export interface LoadConnectionOptions {
  /** Defaults to the process environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_TLS*, TEMPORAL_API_KEY). */
  env?: Env;
  /** A TOML config file to read instead of TEMPORAL_CONFIG_FILE / ~/.config/temporalio/temporal.toml. */
  configFile?: string;
  profile?: string;
}

/** Reads the same settings as the `temporal` CLI, so one profile serves both. */
export function loadConnectionConfig(opts: LoadConnectionOptions = {}): ConnectionConfig {
  const env = definedOnly(opts.env ?? processEnv());
  const { connectionOptions, namespace } = loadClientConnectConfig({
    overrideEnvVars: env,
    ...(opts.configFile ? { configSource: { path: opts.configFile } } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  const explicit = connectionOptions.address !== undefined;
  const profile = opts.profile ?? env.TEMPORAL_PROFILE ?? 'default';
  const origin = env.TEMPORAL_ADDRESS
    ? 'TEMPORAL_ADDRESS'
    : explicit
      ? `profile "${profile}" of ${opts.configFile ?? env.TEMPORAL_CONFIG_FILE ?? 'the Temporal config file'}`
      : 'not configured';
  return {
    // Not explicit means the caller should start (or point at) the embedded dev server; LOCAL_TARGET is only the SDK's fallback.
    address: connectionOptions.address ?? LOCAL_TARGET,
    namespace: namespace ?? 'default',
    ...(connectionOptions.tls != null ? { tls: connectionOptions.tls } : {}),
    ...(connectionOptions.apiKey !== undefined && typeof connectionOptions.apiKey === 'string'
      ? { apiKey: connectionOptions.apiKey }
      : {}),
    ...(connectionOptions.metadata ? { metadata: connectionOptions.metadata } : {}),
    explicit,
    origin,
  };
}

/** Options accepted by both `Connection.connect` (client) and `NativeConnection.connect` (worker). */
export function toConnectionOptions(config: ConnectionConfig): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Metadata;
} {
  const { address, tls, apiKey, metadata } = config;
  return { address, tls, apiKey, metadata };
}

export async function connectClient(
  config: ConnectionConfig = loadConnectionConfig(),
  clientOptions: Omit<ClientOptions, 'connection' | 'namespace'> = {},
): Promise<{ connection: Connection; client: Client }> {
  // Every client reads and writes through the payload codec, so household data is never sent in plain text.
  const dataConverter = clientOptions.dataConverter ?? dutyDataConverter();
  // lazy + explicit close: a failed Connection.connect leaves its gRPC channel open and the CLI would not exit.
  const connection = Connection.lazy({ ...toConnectionOptions(config), connectTimeout: 10_000 });
  try {
    await connection.ensureConnected();
  } catch (err) {
    await connection.close();
    const why = err instanceof Error ? err.message : String(err);
    throw new TemporalUnreachableError(
      `无法连接 Temporal 服务 ${config.address}(地址来自 ${config.origin}): ${why}。请先运行 npm start,或设置 TEMPORAL_ADDRESS / TEMPORAL_PROFILE。`,
      { cause: err },
    );
  }
  return { connection, client: new Client({ ...clientOptions, dataConverter, connection, namespace: config.namespace }) };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
