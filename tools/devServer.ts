import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_TYPES } from '../src/shared/searchAttributes';
import { noBinaryError, resolveTemporalCli } from './binaries';
import { ensureSearchAttributes } from '../src/temporal/searchAttributes';

export interface DevServerOptions {
  /** SQLite file; in memory when absent. Its folder is created. */
  dbFile?: string;
  /** gRPC port; 0 or absent picks a free one. */
  port?: number;
  /** Web UI port; 0 or absent picks a free one. Ignored when headless. */
  uiPort?: number;
  namespace?: string;
  headless?: boolean;
  /** Defaults to 127.0.0.1 so the dev server (which skips security checks) is not exposed. */
  ip?: string;
  /** Receives the server's own output and install notes, line by line. */
  log?: (line: string) => void;
  /** @default 'error' — 'warn' prints a burst of harmless "context canceled" lines on every shutdown. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** @default 60_000 */
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  namespace: string;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
/**
 * SQLite's defaults (rollback journal, synchronous=FULL) fsync several times per transaction: about 30 workflow
 * starts a second on this hardware. WAL with synchronous=NORMAL is about 3x that (npm run bench) and still loses
 * nothing when a process dies; only a power cut can roll back the last transactions, never corrupt the file.
 */
const SQLITE_PRAGMAS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];
/**
 * Server settings the engine relies on, given to the dev server as flags and written into a cluster's dynamic config
 * (scripts/cluster/serverConfig.ts).
 * - Eager activities: a reminder's send activity runs on the worker that just woke the task, instead of a round
 *   through the activity task queue, during which the task may be evicted from the worker's cache and replayed again.
 * - Visibility requests (list, count) a second for the namespace; Temporal's default is 10. Until its index of open
 *   tasks is built, the dashboard counts per unit, several hundred counts for the county: at 10 a second the server's
 *   rate limiter holds them back 1.5–2 s every 140 or so.
 */
export const ENGINE_DYNAMIC_CONFIG = {
  'system.enableActivityEagerExecution': true,
  'frontend.namespaceRPS.visibility': 5000,
} as const;
const DYNAMIC_CONFIG_ARGS = Object.entries(ENGINE_DYNAMIC_CONFIG).flatMap(([name, value]) => ['--dynamic-config-value', `${name}=${value}`]);
const HEAD_LINES = 10;
const TAIL_LINES = 30;

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = await resolveTemporalCli(opts.log ? { log: opts.log } : {});
  if (opts.dbFile) await fs.mkdir(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  const autoPorts = !opts.port || (!opts.headless && !opts.uiPort);
  // A port found free can be taken before the server binds it; only then is a retry worth it.
  for (let attempt = 1; ; attempt++) {
    try {
      return cli.path ? await spawnDevServer(cli.path, opts) : await sdkDevServer(opts);
    } catch (err) {
      if (!(autoPorts && attempt < 3 && err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function spawnDevServer(cliPath: string, opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const [port, uiPort] = await freePorts(ip, opts.port, opts.headless ? -1 : opts.uiPort);
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace];
  args.push('--log-level', opts.logLevel ?? 'error');
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (opts.dbFile) args.push('--db-filename', path.resolve(opts.dbFile), ...SQLITE_PRAGMAS);
  args.push(...DYNAMIC_CONFIG_ARGS);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_TYPES)) args.push('--search-attribute', `${name}=${type}`);

  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // A Go panic says why in its first lines and then prints every goroutine: the tail alone loses the reason (and with
  // it the "address already in use" that makes a start worth retrying), so the first lines are kept too.
  const head: string[] = [];
  const output: string[] = [];
  let dropped = 0;
  let stopping = false;
  const onLine = (line: string): void => {
    if (head.length < HEAD_LINES) head.push(line);
    else {
      output.push(line);
      if (output.length > TAIL_LINES) {
        output.shift();
        dropped += 1;
      }
    }
    if (!stopping) opts.log?.(line);
  };
  forwardLines(child.stdout, onLine);
  forwardLines(child.stderr, onLine);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  // An orphaned server would hold the port and the SQLite lock after a crash of ours.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = hostPort(ip, port);
  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      await terminate(child, exited);
      process.removeListener('exit', killOnExit);
    })();
    return stopPromise;
  };

  try {
    await waitUntilReady(address, namespace, exited, opts.startTimeoutMs ?? 60_000, () => [...head, ...(dropped ? [`…(${dropped} lines)`] : []), ...output].join('\n'));
  } catch (err) {
    await stop();
    throw err;
  }
  const uiHost = ip === '0.0.0.0' ? 'localhost' : ip;
  return { address, namespace, stop, ...(uiPort === undefined ? {} : { uiUrl: `http://${hostPort(uiHost, uiPort)}` }) };
}

async function waitUntilReady(
  address: string,
  namespace: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  // Racing every probe against the exit reports a crash at once instead of after a probe timeout.
  const died = exited.then((code) => {
    exitCode = code;
    const text = output();
    const msg = `Temporal dev server exited with code ${code} before it was ready. Its last output:\n${text}`;
    throw /address already in use|bind:/i.test(text) ? new PortTakenError(msg) : new Error(msg);
  });
  died.catch(() => undefined); // observed below; this only silences the unhandled-rejection warning
  let timer: NodeJS.Timeout | undefined;
  // A hung call (not just a refused one) must also end at the deadline.
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      // A plain TCP check first: a gRPC probe against a closed port leaves a connect-deadline timer
      // behind that keeps Node (and jest workers) alive for a second after a failed start.
      if ((await Promise.race([portOpen(address), died, timedOut])) !== true) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const connection = Connection.lazy({ address, connectTimeout: 1_000 });
      try {
        if ((await Promise.race([probe(connection, namespace), died, timedOut])) === 'timeout') break;
        // Whoever answered, our process must still be alive for the answer to be ours.
        if (exitCode === undefined) return;
      } catch (err) {
        if (exitCode !== undefined) return await died;
        lastError = err;
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await connection.close();
      }
    }
  } finally {
    clearTimeout(timer);
  }
  const last = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(
    `Temporal dev server at ${address} did not answer within ${timeoutMs} ms (last error: ${last}). Its last output:\n${output()}`,
  );
}

function portOpen(address: string): Promise<boolean> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function hostPort(ip: string, port: number | undefined): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[(.*)\]$/, '$1'), Number(address.slice(i + 1))];
}

async function probe(connection: Connection, namespace: string): Promise<void> {
  await connection.ensureConnected();
  await connection.workflowService.describeNamespace({ namespace });
  // --search-attribute reaches only namespaces created in this run; an older db file needs this.
  await ensureSearchAttributes(connection, namespace);
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), STOP_GRACE_MS)));
  if ((await Promise.race([exited, graceOver])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.trimEnd());
  });
}

/**
 * Resolves each requested port: 0/undefined gets a free one, -1 means "none", a given port is checked to be free.
 * The check matters: a server already on that port would answer our readiness probe in place of ours.
 * All probe sockets stay open until every port is chosen so the answers differ.
 */
async function freePorts(ip: string, ...wanted: (number | undefined)[]): Promise<(number | undefined)[]> {
  const servers: net.Server[] = [];
  try {
    const result: (number | undefined)[] = [];
    for (const want of wanted) {
      if (want === -1) {
        result.push(undefined);
        continue;
      }
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new Error(`Port ${want} on ${ip} is already in use (another Temporal server?). Stop it, choose another port, or point TEMPORAL_ADDRESS at it.`)
              : err,
          ),
        );
        server.listen(want ?? 0, ip, resolve);
      });
      result.push((server.address() as net.AddressInfo).port);
    }
    return result;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/**
 * No Python, no CLI: let the SDK's core download the CLI (needs internet to temporal.download).
 * Runtime.createEphemeralServer is the hidden API @temporalio/testing itself uses; it lives in
 * @temporalio/worker, a runtime dependency, so `npm start` keeps working without dev dependencies.
 */
async function sdkDevServer(opts: DevServerOptions): Promise<DevServer> {
  const { Runtime } = await import('@temporalio/worker');
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const [port, uiPort] = await freePorts(ip, opts.port, opts.headless ? -1 : opts.uiPort);
  const runtime = Runtime.instance();
  const extraArgs = Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
  if (opts.dbFile) extraArgs.push(...SQLITE_PRAGMAS);
  extraArgs.push(...DYNAMIC_CONFIG_ARGS);
  type Config = Parameters<typeof runtime.createEphemeralServer>[0];
  const config: Config = {
    type: 'dev-server',
    exe: { type: 'cached-download', downloadDir: null, version: 'default', ttl: 86_400_000, sdkName: 'sdk-typescript', sdkVersion: sdkVersion() },
    namespace,
    ip,
    port: port ?? null,
    ui: uiPort !== undefined,
    uiPort: uiPort ?? null,
    dbFilename: opts.dbFile ? path.resolve(opts.dbFile) : null,
    log: { format: 'pretty', level: opts.logLevel ?? 'error' },
    extraArgs,
  };
  let server;
  try {
    server = await runtime.createEphemeralServer(config);
  } catch (err) {
    throw noBinaryError('cli', err);
  }
  const address = hostPort(ip, port);
  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopPromise ??= runtime.shutdownEphemeralServer(server));
  const connection = Connection.lazy({ address });
  try {
    await ensureSearchAttributes(connection, namespace);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await connection.close();
  }
  return { address, namespace, stop, ...(uiPort === undefined ? {} : { uiUrl: `http://${hostPort(ip, uiPort)}` }) };
}

function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@temporalio/worker/package.json') as { version: string }).version;
}
