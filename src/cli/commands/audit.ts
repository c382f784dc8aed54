import type { Command } from 'commander';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { ZONE } from '../../shared/zone';
import { AUDIT_ACTION_NAMES, AUDIT_ACTIONS, type AuditAction } from '../../audit/log';
import type { OrgTree } from '../../roster/orgTree';
import { OPERATOR } from '../../auth/policy';
import { auditFor, describeDetail, detailContext } from '../../services/audit';
import { taskCatalogVersion, type TaskCatalogVersion } from '../../services/catalogVersions';
import { print, type CliContext } from '../context';
import { localDate, oneOf } from '../options';

function unitName(tree: OrgTree, id?: string): string {
  return id ? (tree.hasUnit(id) ? tree.unit(id).name : id) : '';
}

function versionLine({ taskId, version, applied }: TaskCatalogVersion): string {
  if (!version) return `任务 ${taskId} 开启时未记录职责条款版本(版本记录功能之前开启,或由事件开启)`;
  const terms = version.effectiveFrom ? `自 ${version.effectiveFrom} 起生效的版本` : '基础条款(无生效日期版本)';
  const when = applied ? `,该条款于 ${DateTime.fromISO(applied.at, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss')} 由 ${applied.actor} 应用` : ',审计记录中未找到应用该条款的记录';
  return `任务 ${taskId} 开启时的职责条款: ${terms},指纹 ${version.fingerprint}${when}`;
}

export function auditCommands(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('操作记录:谁在何时做了什么(完成、免除、暂停、恢复、触发、应用目录、账号、监测对象)')
    .option('--unit <unitId>', '只看该单位及其下级的记录')
    .option('--from <date>', '开始日期 YYYY-MM-DD', localDate)
    .option('--to <date>', '结束日期 YYYY-MM-DD', localDate)
    .option('--action <action>', AUDIT_ACTIONS.join('|'), oneOf(AUDIT_ACTIONS))
    .option('--target <id>', '只看对某个任务、职责或人员的操作;任务还显示其开启时的职责条款版本')
    .option('--json', '输出 JSON')
    .action(async (opts: { unit?: string; from?: string; to?: string; action?: AuditAction; target?: string; json?: boolean }) => {
      const tree = await ctx.tree();
      const entries = await auditFor(ctx, OPERATOR, { unitId: opts.unit, from: opts.from, to: opts.to, action: opts.action, target: opts.target });
      const version = opts.target?.startsWith('task:') ? await taskCatalogVersion(ctx, OPERATOR, opts.target) : undefined;
      if (opts.json) return print(JSON.stringify(version ? { catalogVersion: version, entries } : entries, null, 2));
      if (version) print(versionLine(version));
      print(`共 ${entries.length} 条操作记录`);
      if (!entries.length) return;
      const detail = await detailContext(ctx);
      const table = new Table({ head: ['时间', '操作人', '途径', '操作', '对象', '单位', '详情'], style: { head: [], border: [] } });
      for (const e of entries) {
        const at = DateTime.fromISO(e.at, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss');
        table.push([at, e.actor, e.via === 'cli' ? '命令行' : '网页/API', AUDIT_ACTION_NAMES[e.action], e.target, unitName(tree, e.unitId), describeDetail(e, detail)]);
      }
      print(table.toString());
    });
}
