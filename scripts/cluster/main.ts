/** `npm run cluster -- up [--no-engine]|down|status|build`: a production-shaped Temporal cluster on this machine (docs/cluster.md). */
import path from 'node:path';
import { settings } from '../../src/config';
import { describeError } from '../../src/services/describeError';
import { clusterDown, clusterUp, type ClusterOptions, layoutOf } from './cluster';
import { HTTP_REPLICAS } from './layout';
import { describeServer, resolveServerBinaries } from './serverBinary';
import { clusterStatus, statusExitCode, statusText } from './status';

const USAGE = '用法: npm run cluster -- up [--no-engine]|down|status|build';
/** Flags each command takes; anything else is a usage error, not silently ignored. */
const FLAGS: Record<string, string[]> = { up: ['--no-engine'], down: [], status: [], build: [] };

async function main(): Promise<void> {
  const [command = '', ...flags] = process.argv.slice(2);
  if (!FLAGS[command] || flags.some((f) => !FLAGS[command]?.includes(f))) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const engine = !flags.includes('--no-engine');
  const opts: ClusterOptions = { root: path.join(settings().dataDir, 'cluster'), engine, log: (line) => process.stdout.write(`${line}\n`) };
  const started = Date.now();
  switch (command) {
    case 'up': {
      const env = await clusterUp(opts);
      process.stdout.write(readyText(env, opts, (Date.now() - started) / 1000));
      return;
    }
    case 'down':
      await clusterDown(opts);
      return;
    // The server alone (CI runs it first, so the minutes of a cold build show as their own step).
    case 'build':
      opts.log(describeServer(await resolveServerBinaries({ log: opts.log })));
      return;
    case 'status': {
      const status = await clusterStatus(opts);
      process.stdout.write(statusText(status));
      process.exitCode = statusExitCode(status);
    }
  }
}

function readyText(env: Record<string, string>, opts: ClusterOptions, seconds: number): string {
  const layout = layoutOf(opts);
  const envFile = layout.envFile;
  const head = `集群已就绪(用时 ${seconds.toFixed(1)} 秒): Temporal ${env.TEMPORAL_ADDRESS}(mTLS),命名空间 ${env.TEMPORAL_NAMESPACE}`;
  if (opts.engine === false) {
    return [
      '',
      head,
      '  引擎未启动(--no-engine):未应用职责目录,未启动引擎 worker 与网页服务。现在可以迁移本机安装(docs/operations.md):',
      `    npm run duty -- migrate --to-env ${envFile}`,
      '  迁移完成、停止 npm start 后启动引擎: npm run cluster -- up',
      '',
    ].join('\n');
  }
  return [
    '',
    head,
    `  两个引擎 worker 与两个网页服务在运行,共享 PostgreSQL 中的引擎数据: ${HTTP_REPLICAS.map((r) => `http://${layout.host}:${layout.ports.http[r]}`).join('  ')}`,
    `  连接设置(含引擎数据库与载荷密钥)已写入 ${envFile}。在同一个 shell 中:`,
    `    set -a; . ${envFile}; set +a`,
    '    npm run duty -- user create-admin p-admin   # 首次使用:在任一网页服务登录',
    '    npm run duty -- status',
    '    temporal workflow list     # temporal CLI 读同样的 TEMPORAL_* 变量',
    '  查看: npm run cluster -- status    停止(保留数据): npm run cluster -- down',
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`集群操作失败: ${describeError(err).message}\n`);
  process.exit(1);
});
