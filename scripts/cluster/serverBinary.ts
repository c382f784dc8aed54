import { accessSync, constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/errors';
import { cacheDir } from '../../tools/binaries';
import { run } from './exec';

/**
 * The full Temporal server (not the CLI's dev server), built from its Go module because no release archive is
 * reachable from here. Pinned: the schema files and the config keys below belong to this version.
 */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The module asks for Go ≥ 1.26.10; naming the toolchain lets an older `go` fetch it through the module proxy. */
const GO_TOOLCHAIN = 'go1.26.10';
const MODULE = 'go.temporal.io/server';
const SERVER_EXE = 'temporal-server';
const SQL_TOOL_EXE = 'temporal-sql-tool';
const PROGRESS_EVERY_MS = 15_000;

export interface ServerBinaries {
  server: string;
  /** Carries the versioned schemas of its own server version (embedded), so no schema folder is needed. */
  sqlTool: string;
  source: 'TEMPORAL_SERVER_PATH' | 'PATH' | 'cache' | 'built';
}

export interface ResolveServerOptions {
  env?: NodeJS.ProcessEnv;
  projectRoot?: string;
  log: (line: string) => void;
}

/** `.temporal/server-1.32.2/`: beside the CLI's cache, one folder per version so a pin bump builds anew. */
export function serverCacheDir(projectRoot?: string): string {
  return path.join(cacheDir(projectRoot), `server-${TEMPORAL_SERVER_VERSION}`);
}

/** True when the pinned build is in the cache (tests use this to skip rather than spend six minutes building). */
export function serverIsCached(projectRoot?: string): boolean {
  const dir = serverCacheDir(projectRoot);
  return [SERVER_EXE, SQL_TOOL_EXE].every((exe) => {
    try {
      accessSync(path.join(dir, exe), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** TEMPORAL_SERVER_PATH, then `temporal-server` on PATH, then the cache; builds into the cache when none has it. */
export async function resolveServerBinaries(opts: ResolveServerOptions): Promise<ServerBinaries> {
  const env = opts.env ?? process.env;
  const cached = serverCacheDir(opts.projectRoot);
  const fromEnv = env.TEMPORAL_SERVER_PATH;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new UsageError(`TEMPORAL_SERVER_PATH 指向 ${fromEnv},但那里没有可执行的 Temporal 服务程序`);
    return withTools(path.resolve(fromEnv), 'TEMPORAL_SERVER_PATH', env, opts);
  }
  const onPath = await findOnPath(SERVER_EXE, env);
  if (onPath) return withTools(onPath, 'PATH', env, opts);
  if (serverIsCached(opts.projectRoot)) return inCache(cached, 'cache');
  await build(cached, env, opts.log);
  return inCache(cached, 'built');
}

function inCache(dir: string, source: 'cache' | 'built'): ServerBinaries {
  return { server: path.join(dir, SERVER_EXE), sqlTool: path.join(dir, SQL_TOOL_EXE), source };
}

/** A server from elsewhere still needs a schema tool: beside it, on PATH, or the pinned one (built if need be). */
async function withTools(server: string, source: 'TEMPORAL_SERVER_PATH' | 'PATH', env: NodeJS.ProcessEnv, opts: ResolveServerOptions): Promise<ServerBinaries> {
  const cached = serverCacheDir(opts.projectRoot);
  const beside = path.join(path.dirname(server), SQL_TOOL_EXE);
  const sqlTool = (await isExecutable(beside)) ? beside : await findOnPath(SQL_TOOL_EXE, env);
  if (sqlTool) return { server, sqlTool, source };
  if (!serverIsCached(opts.projectRoot)) await build(cached, env, opts.log);
  return { ...inCache(cached, 'cache'), server, source };
}

export function describeServer(b: ServerBinaries): string {
  const where = { TEMPORAL_SERVER_PATH: '来自 TEMPORAL_SERVER_PATH', PATH: '来自 PATH', cache: '项目缓存', built: '刚编译并缓存' }[b.source];
  return `Temporal 服务程序: ${b.server}(${where}${b.source === 'cache' || b.source === 'built' ? `,v${TEMPORAL_SERVER_VERSION}` : ''})`;
}

/** `go install` of both commands into a scratch folder, then one rename, so a killed build never looks cached. */
async function build(target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const scratch = `${target}.build-${process.pid}`;
  const started = Date.now();
  log(`正在从 Go 模块编译 Temporal 服务 v${TEMPORAL_SERVER_VERSION}(仅首次,2 核约 7 分钟;之后用缓存 ${target})…`);
  let packages = 0;
  const onLine = (line: string): void => {
    if (line.startsWith('go: downloading')) {
      if (line.includes(' go1.')) log(`  下载 Go 工具链 ${GO_TOOLCHAIN} …`);
      return;
    }
    // `go install -v` names each package as it compiles it (about 1 600 on a cold cache); linking prints nothing.
    if (/^[\w.-]+(\/[\w.@+-]+)+$/.test(line.trim())) packages++;
  };
  const ticker = setInterval(() => log(`  已编译 ${packages} 个包,用时 ${Math.round((Date.now() - started) / 1000)} 秒 …`), PROGRESS_EVERY_MS);
  try {
    await fs.rm(scratch, { recursive: true, force: true });
    await fs.mkdir(scratch, { recursive: true });
    const versioned = (cmd: string) => `${MODULE}/cmd/${cmd}@v${TEMPORAL_SERVER_VERSION}`;
    await run(await goCommand(env), ['install', '-v', versioned('server'), versioned('tools/sql')], {
      env: { ...env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: scratch },
      onLine,
    });
    await fs.rename(path.join(scratch, 'server'), path.join(scratch, SERVER_EXE));
    await fs.rename(path.join(scratch, 'sql'), path.join(scratch, SQL_TOOL_EXE));
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(scratch, target);
  } finally {
    clearInterval(ticker);
    await fs.rm(scratch, { recursive: true, force: true });
  }
  log(`Temporal 服务 v${TEMPORAL_SERVER_VERSION} 编译完成,用时 ${Math.round((Date.now() - started) / 1000)} 秒(编译 ${packages} 个包)`);
}

async function goCommand(env: NodeJS.ProcessEnv): Promise<string> {
  const go = (await findOnPath('go', env)) ?? ((await isExecutable('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new UsageError(`编译 Temporal 服务需要 Go(https://go.dev/dl/),但 PATH 中没有 go。请安装 Go,或把已有的服务程序路径设为 TEMPORAL_SERVER_PATH。`);
  }
  return go;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    await fs.access(file, fsConstants.X_OK);
    return stat.isFile();
  } catch {
    return false;
  }
}

async function findOnPath(exe: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, exe)))) return path.join(dir, exe);
  }
  return undefined;
}
