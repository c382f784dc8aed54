import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/errors';
import type { ClusterLayout } from './layout';
import { run, runRaw } from './exec';
import { processAlive, refuseTakenPort } from './processes';
import { connectionsNeeded, DATABASE_USER } from './serverConfig';

const DEBIAN_ROOT = '/usr/lib/postgresql';
const PACKAGE = 'postgresql';
/** PostgreSQL refuses to run as root; the Debian package's own system user owns our data directory instead. */
const SYSTEM_USER = 'postgres';

export interface PgBinaries {
  dir: string;
  version: string;
}

/** The newest PostgreSQL under /usr/lib/postgresql (Debian keeps initdb and pg_ctl there, off PATH); installs it if none. */
export async function ensurePgBinaries(log: (line: string) => void): Promise<PgBinaries> {
  const found = await findPgBinaries();
  if (found) return found;
  log(`未找到 PostgreSQL(${DEBIAN_ROOT}/*/bin/initdb),正在用 apt-get 安装 ${PACKAGE} …`);
  if (!isRoot()) throw new UsageError(`未安装 PostgreSQL。请运行 sudo apt-get install -y ${PACKAGE} 后重试。`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', PACKAGE], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const installed = await findPgBinaries();
  if (!installed) throw new UsageError(`apt-get 安装 ${PACKAGE} 后仍找不到 ${DEBIAN_ROOT}/*/bin/initdb`);
  return installed;
}

export async function findPgBinaries(): Promise<PgBinaries | undefined> {
  const versions = await fs.readdir(DEBIAN_ROOT).catch(() => [] as string[]);
  const usable: string[] = [];
  for (const v of versions) {
    if (await fs.access(path.join(DEBIAN_ROOT, v, 'bin', 'initdb')).then(() => true, () => false)) usable.push(v);
  }
  const newest = usable.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? { dir: path.join(DEBIAN_ROOT, newest, 'bin'), version: newest } : undefined;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Runs a PostgreSQL program as the owner of the data directory. */
function pg(bin: PgBinaries, program: string, args: string[]): [string, string[]] {
  const exe = path.join(bin.dir, program);
  return isRoot() ? ['runuser', ['-u', SYSTEM_USER, '--', exe, ...args]] : [exe, args];
}

async function giveToPgUser(file: string): Promise<void> {
  if (!isRoot()) return;
  const { uid, gid } = await systemUserIds();
  await fs.chown(file, uid, gid);
}

/** A project under a private home (/root is 0700) is out of the postgres user's reach; say so instead of initdb's words. */
async function checkPgUserReaches(dir: string): Promise<void> {
  if (!isRoot()) return;
  const { code } = await runRaw('runuser', ['-u', SYSTEM_USER, '--', 'test', '-x', path.dirname(dir)]);
  if (code !== 0) {
    throw new UsageError(`PostgreSQL 以系统用户 ${SYSTEM_USER} 运行,但它进不了 ${path.dirname(dir)}(上级目录权限不足)。请把项目放到该用户可进入的目录,或以普通用户运行。`);
  }
}

async function systemUserIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  const fields = passwd.split('\n').find((l) => l.startsWith(`${SYSTEM_USER}:`))?.split(':');
  if (!fields) throw new UsageError(`以 root 运行时需要系统用户 ${SYSTEM_USER}(随 PostgreSQL 软件包创建),但 /etc/passwd 中没有`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** The password of our own superuser, made once with the data directory. */
export async function pgPassword(layout: ClusterLayout): Promise<string> {
  try {
    return (await fs.readFile(layout.pgPasswordFile, 'utf8')).trim();
  } catch {
    throw new UsageError(`缺少 ${layout.pgPasswordFile}。数据目录 ${layout.pgData} 已存在但密码文件丢失;请恢复该文件,或删除 ${layout.root} 重新创建集群。`);
  }
}

/** initdb on first use: our own data directory, superuser and password, listening on loopback TCP only. */
export async function ensurePgInitialized(layout: ClusterLayout, bin: PgBinaries, log: (line: string) => void): Promise<void> {
  if (await fs.access(path.join(layout.pgData, 'PG_VERSION')).then(() => true, () => false)) return;
  await fs.mkdir(layout.pgData, { recursive: true, mode: 0o700 });
  await checkPgUserReaches(layout.pgData);
  await giveToPgUser(layout.pgData);
  const password = randomBytes(18).toString('base64url');
  await fs.writeFile(layout.pgPasswordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file; it runs as the postgres user, so that copy must be readable by it.
  const pwfile = path.join(layout.pgData, '..', `.pwfile-${process.pid}`);
  await fs.writeFile(pwfile, password, { mode: 0o600 });
  await giveToPgUser(pwfile);
  try {
    const [cmd, args] = pg(bin, 'initdb', ['-D', layout.pgData, '-U', DATABASE_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C']);
    await run(cmd, args);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
  // No Unix socket: nothing in /var/run/postgresql is touched, and only loopback TCP with a password gets in.
  const settings = [`listen_addresses = '${layout.host}'`, "unix_socket_directories = ''"];
  await fs.appendFile(path.join(layout.pgData, 'postgresql.conf'), `\n# duty-engine cluster\n${settings.join('\n')}\n`);
  log(`已创建 PostgreSQL ${bin.version} 数据目录: ${layout.pgData}(用户 ${DATABASE_USER},密码在 ${layout.pgPasswordFile})`);
}

export async function startPostgres(layout: ClusterLayout, bin: PgBinaries): Promise<boolean> {
  if (await postgresPid(layout)) return false;
  await refuseTakenPort(layout.host, layout.ports.postgres, 'PostgreSQL');
  await fs.mkdir(path.dirname(layout.pgLog), { recursive: true });
  await fs.appendFile(layout.pgLog, '');
  await giveToPgUser(layout.pgLog);
  // max_connections on the command line, not in postgresql.conf: a data directory made by an older `up` gets the
  // current figure (which grows with the processes `up` starts) at its next start.
  const options = `-p ${layout.ports.postgres} -c max_connections=${connectionsNeeded()}`;
  const [cmd, args] = pg(bin, 'pg_ctl', ['start', '-D', layout.pgData, '-l', layout.pgLog, '-w', '-t', '60', '-o', options]);
  await run(cmd, args, { detached: true });
  return true;
}

export async function stopPostgres(layout: ClusterLayout, bin: PgBinaries): Promise<boolean> {
  if (!(await postgresPid(layout))) return false;
  const [cmd, args] = pg(bin, 'pg_ctl', ['stop', '-D', layout.pgData, '-m', 'fast', '-w', '-t', '60']);
  await run(cmd, args);
  return true;
}

/** The postmaster's pid when one runs on our data directory (postmaster.pid names a live process). */
export async function postgresPid(layout: ClusterLayout): Promise<number | undefined> {
  let first: string | undefined;
  try {
    first = (await fs.readFile(path.join(layout.pgData, 'postmaster.pid'), 'utf8')).split('\n')[0];
  } catch {
    return undefined;
  }
  const pid = Number(first);
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
}

/** pg_isready over TCP: accepting connections, not merely a live process. */
export async function postgresAccepting(layout: ClusterLayout, bin: PgBinaries): Promise<boolean> {
  const { code } = await runRaw(path.join(bin.dir, 'pg_isready'), ['-h', layout.host, '-p', String(layout.ports.postgres), '-t', '2']);
  return code === 0;
}
