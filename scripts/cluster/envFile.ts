import { promises as fs } from 'node:fs';
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

/** Shell syntax (`set -a; . file`) that also suits tools reading KEY=value files. */
export function envFileText(vars: Record<string, string>, file: string): string {
  const lines = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return `# Written by \`npm run cluster -- up\`. Use: set -a; . ${shellQuote(file)}; set +a\n${lines.join('\n')}\n`;
}

function shellQuote(value: string): string {
  return /^[\w./:@-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

export async function writeEnvFile(layout: ClusterLayout): Promise<void> {
  await fs.writeFile(layout.envFile, envFileText(clusterClientEnv(layout), layout.envFile));
}
