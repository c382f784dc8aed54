import type { Command } from 'commander';
import Table from 'cli-table3';
import { migrate, type MigrateResult } from '../../services/migrate';
import { targetSettings } from '../../services/migrateTarget';
import { DutyError } from '../../errors';
import { print, type CliContext } from '../context';

class MigrationMismatch extends DutyError {
  override name = 'MigrationMismatch';
}

/** `duty migrate --to <address>`: the embedded installation (this command's own TEMPORAL_ADDRESS) into a cluster. */
export function migrateCommands(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('把正在运行的本机安装(职责计划、任务、提醒批次、监测户及其流程)迁移到集群;再次运行不会重复创建')
    .option('--to <address>', '目标集群 Temporal 前端地址,如 127.0.0.1:7233(--to-env 文件有 TEMPORAL_ADDRESS 时可省)')
    .option('--to-env <file>', '目标的环境文件(npm run cluster -- up 写的 .data/cluster/env):TLS 证书、命名空间、任务队列、载荷密钥、数据库')
    .option('--database-url <url>', '目标的 PostgreSQL(默认取 --to-env 中的 DUTY_DATABASE_URL)')
    .action(async (opts: { to?: string; toEnv?: string; databaseUrl?: string }) => {
      // The target's options are checked before the source is reached: a typo is named, not a connection failure.
      targetSettings(opts);
      const result = await migrate(await ctx.temporal(), opts, (line) => print(line));
      print(countsTable(result));
      if (!result.ok) {
        throw new MigrationMismatch(`源与目标的数量不一致${result.stoppedAt === 'copy' ? ',源安装未作任何改动;目标上的副本处于暂停状态,不会发送提醒' : ''}。请检查后重新运行 duty migrate`);
      }
      print(`迁移完成:新建 ${result.created} 项。源安装的职责计划已暂停、工作流已终止(历史仍可在源上查看)。`);
    });
}

function countsTable(result: MigrateResult): string {
  const table = new Table({ head: ['类别', '源', `目标 ${result.to}`, ''], style: { head: [], border: [] } });
  for (const c of result.counts) table.push([c.label, c.source, c.target, c.source === c.target ? '一致' : '不一致']);
  return table.toString();
}
