import { stringify } from 'yaml';
import { ENGINE_DYNAMIC_CONFIG } from '../../tools/devServer';
import { certFiles, type ClusterLayout, DUTY_PROCESSES, SERVICES, type Service } from './layout';

/**
 * Fixed for the life of the database: a workflow's shard is a hash of its id modulo this number, so changing it means
 * a new cluster (or replication into one whose count is a multiple of this). Each shard serialises its own writes, so
 * the count bounds how many workflow updates PostgreSQL sees at once: 4 (the sample config's value) would queue a
 * month-start herd behind four locks. 128 lets a province-sized herd spread over 128 concurrent writers and over up to
 * 16 history hosts later, while an idle cluster costs little (docs/cluster.md has the measured figures and the why).
 */
export const NUM_HISTORY_SHARDS = 128;

export const DATABASE_USER = 'temporal';
export const DATABASES = { main: 'temporal', visibility: 'temporal_visibility' } as const;

/** Per process: PostgreSQL's max_connections (see postgres.ts) must cover four processes times both pools. */
const POOL = { main: 20, visibility: 5 };
/** The engine's pool per process (src/store/pg/database.ts), for each duty process and a few `duty` commands. */
const DUTY_POOL = 10;
const DUTY_CLI_POOLS = 3;

function datastore(layout: ClusterLayout, password: string, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${layout.host}:${layout.ports.postgres}`,
      connectProtocol: 'tcp',
      user: DATABASE_USER,
      password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

function services(layout: ClusterLayout) {
  const rpc = (s: Service) => ({
    grpcPort: layout.ports.grpc[s],
    membershipPort: layout.ports.membership[s],
    bindOnIP: layout.host,
    ...(s === 'frontend' ? { httpPort: layout.ports.frontendHttp } : {}),
  });
  return Object.fromEntries(SERVICES.map((s) => [s, { rpc: rpc(s) }]));
}

/**
 * mTLS on the frontend only: clients (duty, workers, HTTP servers) must present a certificate signed by the cluster's
 * CA. The system worker reaches the frontend like any client, so it gets the client pair too. Traffic between history,
 * matching and worker stays on loopback in plain gRPC; on separate machines add `internode` with the same CA.
 */
function tls(layout: ClusterLayout) {
  const c = certFiles(layout);
  return {
    frontend: {
      server: { certFile: c.serverCert, keyFile: c.serverKey, requireClientAuth: true, clientCaFiles: [c.caCert] },
      client: { serverName: 'localhost', rootCaFiles: [c.caCert] },
    },
    systemWorker: {
      certFile: c.clientCert,
      keyFile: c.clientKey,
      client: { serverName: 'localhost', rootCaFiles: [c.caCert] },
    },
  };
}

/**
 * The server configuration for one service's process: the module's config/development-postgres12.yaml with our ports,
 * TLS and database. Each process gets its own file only so each can serve metrics on its own port.
 */
export function serverConfig(layout: ClusterLayout, service: Service, password: string): string {
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: NUM_HISTORY_SHARDS,
      datastores: {
        'postgres-default': datastore(layout, password, DATABASES.main, POOL.main),
        'postgres-visibility': datastore(layout, password, DATABASES.visibility, POOL.visibility),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: layout.host },
      tls: tls(layout),
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `${layout.host}:${layout.ports.metrics[service]}` },
      },
    },
    services: services(layout),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${layout.host}:${layout.ports.grpc.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: layout.dynamicConfigFile, pollInterval: '10s' },
  };
  return `# Written by \`npm run cluster -- up\` on every start; edit scripts/cluster/serverConfig.ts instead.\n${stringify(config)}`;
}

/** The settings the dev server gets as flags, in the file format the services poll (no constraints: every namespace). */
export function dynamicConfig(): string {
  const entries = Object.fromEntries(Object.entries(ENGINE_DYNAMIC_CONFIG).map(([name, value]) => [name, [{ value }]]));
  return `# Written by \`npm run cluster -- up\`; the values are tools/devServer.ts ENGINE_DYNAMIC_CONFIG.\n${stringify(entries)}`;
}

/** Connections all four services and the engine's processes may open at once, plus the schema tool and psql. */
export function connectionsNeeded(): number {
  return SERVICES.length * (POOL.main + POOL.visibility) + (DUTY_PROCESSES.length + DUTY_CLI_POOLS) * DUTY_POOL + 20;
}
