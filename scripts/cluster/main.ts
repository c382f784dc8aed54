/** `npm run cluster -- up|down|status`: a production-shaped Temporal cluster on this machine (docs/cluster.md). */
import path from 'node:path';
import { settings } from '../../src/config';
import { describeError } from '../../src/services/describeError';
import { clusterDown, clusterUp, type ClusterOptions } from './cluster';
import { clusterStatus, statusText } from './status';

const USAGE = '用法: npm run cluster -- up|down|status';

async function main(): Promise<void> {
  const command = process.argv[2];
  const opts: ClusterOptions = { root: path.join(settings().dataDir, 'cluster'), log: (line) => process.stdout.write(`${line}\n`) };
  const started = Date.now();
  switch (command) {
    case 'up': {
      const env = await clusterUp(opts);
      process.stdout.write(readyText(env, opts.root, (Date.now() - started) / 1000));
      return;
    }
    case 'down':
      await clusterDown(opts);
      return;
    case 'status': {
      const status = await clusterStatus(opts);
      process.stdout.write(statusText(status));
      if (!status.every((row) => row.healthy)) process.exitCode = 3;
      return;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = 2;
  }
}

function readyText(env: Record<string, string>, root: string, seconds: number): string {
  const envFile = path.join(root, 'env');
  return [
    '',
    `集群已就绪(用时 ${seconds.toFixed(1)} 秒): Temporal ${env.TEMPORAL_ADDRESS}(mTLS),命名空间 ${env.TEMPORAL_NAMESPACE}`,
    `  连接设置已写入 ${envFile}。在同一个 shell 中:`,
    `    set -a; . ${envFile}; set +a`,
    '    npm start                  # 引擎连到集群(不再启动内置服务)',
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
