import path from 'node:path';
import { UsageError } from '../../src/errors';

/** The four Temporal services, each its own process, in start order (frontend last: it is the door clients knock on). */
export const SERVICES = ['history', 'matching', 'worker', 'frontend'] as const;
export type Service = (typeof SERVICES)[number];

/**
 * The engine's own processes beside the four services: two duty workers on one task queue and two HTTP replicas, each
 * with its own data folder, so that whatever they share must go through Temporal or PostgreSQL.
 */
export const DUTY_PROCESSES = ['duty-worker-a', 'duty-worker-b', 'http-a', 'http-b'] as const;
export type DutyProcess = (typeof DUTY_PROCESSES)[number];
export type HttpReplica = Extract<DutyProcess, `http-${string}`>;
export const HTTP_REPLICAS: readonly HttpReplica[] = ['http-a', 'http-b'];
const HTTP: Record<HttpReplica, number> = { 'http-a': 8080, 'http-b': 8081 };

/**
 * Every port is the usual one (Temporal 7233…, PostgreSQL 5432) plus an offset, so the cluster sits beside a dev
 * server or a system PostgreSQL on their defaults. 10 000 for `npm run cluster`; tests use another offset.
 */
export const DEFAULT_PORT_OFFSET = 10_000;

const GRPC: Record<Service, number> = { frontend: 7233, history: 7234, matching: 7235, worker: 7239 };
const MEMBERSHIP: Record<Service, number> = { frontend: 6933, history: 6934, matching: 6935, worker: 6939 };
const METRICS: Record<Service, number> = { frontend: 9090, history: 9091, matching: 9092, worker: 9093 };

export interface ClusterLayout {
  root: string;
  host: '127.0.0.1';
  ports: {
    postgres: number;
    frontendHttp: number;
    grpc: Record<Service, number>;
    membership: Record<Service, number>;
    metrics: Record<Service, number>;
    http: Record<HttpReplica, number>;
  };
  pgData: string;
  pgLog: string;
  pgPasswordFile: string;
  certDir: string;
  envFile: string;
  /** The engine's database role's password (the role and database are both `duty`). */
  dutyPasswordFile: string;
  /** The payload key every worker and HTTP replica encrypts household data with (one file, like `npm start`'s). */
  keyDir: string;
  /** Server settings read at run time (`frontend.namespaceRPS.visibility`), shared by the four services. */
  dynamicConfigFile: string;
  configFile(service: Service): string;
  /** Each duty process's own DUTY_DATA_DIR. */
  dutyDataDir(p: DutyProcess): string;
  /** DUTY_DATA_DIR of `duty` commands run with the env file (and of the catalog's apply by `up`). */
  cliDataDir: string;
  /** Left by `up --no-engine`, taken away by the next plain `up`: the engine's processes are off on purpose. */
  engineOffFile: string;
  logFile(name: Service | DutyProcess): string;
  pidFile(name: Service | DutyProcess): string;
}

/** Temporal keeps membership ports in a PostgreSQL smallint column: above 32 767 a service cannot join. */
const MAX_OFFSET = 32_767 - Math.max(...Object.values(MEMBERSHIP));

export function clusterLayout(root: string, portOffset = DEFAULT_PORT_OFFSET): ClusterLayout {
  if (!Number.isInteger(portOffset) || portOffset < 1 || portOffset > MAX_OFFSET) {
    throw new UsageError(`集群端口偏移必须是 1–${MAX_OFFSET} 的整数(成员端口存于 PostgreSQL smallint 列),实际为 ${portOffset}`);
  }
  const shift = (ports: Record<Service, number>) =>
    Object.fromEntries(SERVICES.map((s) => [s, ports[s] + portOffset])) as Record<Service, number>;
  return {
    root,
    host: '127.0.0.1',
    ports: {
      postgres: 5432 + portOffset,
      frontendHttp: 7243 + portOffset,
      grpc: shift(GRPC),
      membership: shift(MEMBERSHIP),
      metrics: shift(METRICS),
      http: { 'http-a': HTTP['http-a'] + portOffset, 'http-b': HTTP['http-b'] + portOffset },
    },
    pgData: path.join(root, 'postgres'),
    pgLog: path.join(root, 'logs', 'postgres.log'),
    pgPasswordFile: path.join(root, 'postgres-password'),
    certDir: path.join(root, 'certs'),
    envFile: path.join(root, 'env'),
    dutyPasswordFile: path.join(root, 'duty-password'),
    keyDir: root,
    dynamicConfigFile: path.join(root, 'config', 'dynamic.yaml'),
    configFile: (s) => path.join(root, 'config', `${s}.yaml`),
    dutyDataDir: (p) => path.join(root, 'duty', p),
    cliDataDir: path.join(root, 'duty', 'cli'),
    engineOffFile: path.join(root, 'run', 'engine-off'),
    logFile: (s) => path.join(root, 'logs', `${s}.log`),
    pidFile: (s) => path.join(root, 'run', `${s}.pid`),
  };
}

export function frontendAddress(layout: ClusterLayout): string {
  return `${layout.host}:${layout.ports.grpc.frontend}`;
}

/** The certificate files `up` writes; the client pair is what `duty`, workers and HTTP servers present. */
export function certFiles(layout: ClusterLayout) {
  const file = (name: string) => path.join(layout.certDir, name);
  return {
    caCert: file('ca.pem'),
    caKey: file('ca.key'),
    serverCert: file('frontend.pem'),
    serverKey: file('frontend.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}
