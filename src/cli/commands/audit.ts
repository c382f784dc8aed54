import type { Command } from 'commander';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { ZONE } from '../../shared/zone';
import { AUDIT_ACTION_NAMES, AUDIT_ACTIONS, type AuditAction } from '../../audit/log';
import type { OrgTree } from '../../roster/orgTree';
import { OPERATOR } from '../../auth/policy';
import { auditFor, describeDetail, detailContext } from '../../services/audit';
import { print, type CliContext } from '../context';
import { localDate, oneOf } from '../options';

function unitName(tree: OrgTree, id?: string): string {
  return id ? (tree.hasUnit(id) ? tree.unit(id).name : id) : '';
}

export function auditCommands(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('操作记录:谁在何时做了什么(完成、免除、暂停、恢复、触发、应用目录、账号、监测对象)')
    .option('--unit <unitId>', '只看该单位及其下级的记录')
    .option('--from <date>', '开始日期 YYYY-MM-DD', localDate)
    .option('--to <date>', '结束日期 YYYY-MM-DD', localDate)
    .option('--action <action>', AUDIT_ACTIONS.join('|'), oneOf(AUDIT_ACTIONS))
    .option('--json', '输出 JSON')
    .action(async (opts: { unit?: string; from?: string; to?: string; action?: AuditAction; json?: boolean }) => {
      const tree = await ctx.tree();
      const entries = await auditFor(ctx, OPERATOR, { unitId: opts.unit, from: opts.from, to: opts.to, action: opts.action });
      if (opts.json) return print(JSON.stringify(entries, null, 2));
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
