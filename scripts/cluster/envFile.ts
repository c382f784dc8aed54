import { promises as fs } from 'node:fs';
import { ensureKeyFile, loadPayloadKeys } from '../../src/temporal/payloadKeys';
import { dutyDatabaseUrl } from './dutyDatabase';
import { certFiles, type ClusterLayout, frontendAddress } from './layout';

export const CLUSTER_NAMESPACE = 'default';

/**
 * What a client needs to reach the cluster, as the envconfig variables `npm start`, `duty`, the worker and the `temporal`
 * CLI all read. `up` connects with exactly these, so the file it writes is the one that was tested.
 */
export function clusterClientEnv(layout: ClusterLayout): Record<string, string> {
  const c = certFiles(layout);
  return {
    TEMPORAL_ADDRESS: frontendAddress(layout),
    TEMPORAL_NAMESPACE: CLUSTER_NAMESPACE,
    TEMPORAL_TLS_CLIENT_CERT_PATH: c.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: c.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: c.caCert,
    // The address is an IP; TLS names the server by DNS name (node warns that an IP as server name breaks RFC 6066).
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  };
}

/**
 * Everything an engine process of the cluster shares with the others: the client settings, the engine's database and
 * the payload key. The key is made once in `.data/cluster/payload-keys.json` (as `npm start` makes its own) and handed
 * to each process in DUTY_PAYLOAD_KEY, since each has its own data folder.
 */
export async function clusterEngineEnv(layout: ClusterLayout): Promise<Record<string, string>> {
  ensureKeyFile(layout.keyDir);
  const keys = loadPayloadKeys({}, layout.keyDir);
  const old = [...keys.all].filter(([id]) => id !== keys.current?.id).map(([id, key]) => `${id}:${key.toString('base64')}`);
  return {
    ...clusterClientEnv(layout),
    DUTY_DATABASE_URL: await dutyDatabaseUrl(layout),
    ...(keys.current ? { DUTY_PAYLOAD_KEY: keys.current.key.toString('base64'), DUTY_PAYLOAD_KEY_ID: keys.current.id } : {}),
    ...(old.length ? { DUTY_PAYLOAD_OLD_KEYS: old.join(',') } : {}),
  };
}

/** Shell syntax (`set -a; . file`) that also suits tools reading KEY=value files. */
export function envFileText(vars: Record<string, string>, file: string): string {
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return `# Written by \`npm run cluster -- up\`. Use: set -a; . ${shellQuote(file)}; set +a\n${lines.join('\n')}\n`;
}

function shellQuote(value: string): string {
  return /^[\w./:@-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** Owner-readable only: it holds the database password and the payload key. */
export async function writeEnvFile(layout: ClusterLayout, vars: Record<string, string>): Promise<void> {
  await fs.writeFile(layout.envFile, envFileText(vars, layout.envFile), { mode: 0o600 });
  await fs.chmod(layout.envFile, 0o600);
}
