import type { Command } from 'commander';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { onboardingText } from '../../schedules/onboarding';
import type { PlannedChange } from '../../schedules/reconcile';
import { cliActor } from '../../services/context';
import { applyCatalog, type CatalogPlan, planCatalog, previewOccurrences } from '../../services/duties';
import type { Occurrence } from '../../shared/types';
import { versionChanges, versionText } from '../../catalog/versions';
import { UsageError } from '../../errors';
import type { CloseOpenTasks, RetiredTask } from '../../services/retire';
import { print, type CliContext } from '../context';
import { localDate } from '../options';
import { ZONE } from '../../shared/zone';
import { waitForNamespace } from '../../temporal/namespaceReady';

const CHANGE_LABELS: Record<PlannedChange['kind'], string> = { create: '新建', update: '更新', delete: '删除', unchanged: '无变化' };

function time(iso: string): string {
  return DateTime.fromISO(iso, { zone: ZONE }).toFormat('MM-dd HH:mm');
}

function previewTable(occurrences: Occurrence[]): string {
  const table = new Table({ head: ['周期', '阶段', '开始', '截止(调整后)', '原定截止', '截止时刻', '提醒', '暂定'], style: { head: [], border: [] } });
  for (const o of occurrences) {
    table.push([o.period, o.phaseTitle ?? '', o.opensOn, o.dueOn, o.nominalDueOn, time(o.dueAt), o.reminders.map(time).join('\n'), o.provisional ? '是(无节假日数据)' : '']);
  }
  return table.toString();
}

const RETIRED_OUTCOMES: Record<Exclude<RetiredTask['outcome'], 'refused'>, string> = { kept: '继续运行至办结', 'to-close': '将免除', waived: '已免除' };

function retiredText(retired: RetiredTask[]): string[] {
  if (retired.length === 0) return [];
  const lines = [`已移除职责的未办结任务 ${retired.length} 项(计划已停止):`];
  for (const t of retired) {
    lines.push(`  ${t.taskId}  截止 ${t.dueOn}  ${t.outcome === 'refused' ? `免除被拒绝: ${t.message ?? ''}` : RETIRED_OUTCOMES[t.outcome]}`);
  }
  if (retired.some((t) => t.outcome === 'kept')) lines.push('  如需一并免除: npm run duty -- apply --close-open-tasks --by <管理员编号> [--reason <原因>]');
  return lines;
}

function changesText({ changes, onboarding, rosterMoves, versions, retired }: CatalogPlan): string {
  const lines = changes.map((c) => `  ${CHANGE_LABELS[c.kind]}  ${c.scheduleId}${c.title ? `  ${c.title}` : ''}`);
  const count = (k: PlannedChange['kind']) => changes.filter((c) => c.kind === k).length;
  lines.push(`合计: 新建 ${count('create')},更新 ${count('update')},删除 ${count('delete')},无变化 ${count('unchanged')}`);
  if (onboarding.length > 0) {
    lines.push('新建计划的当前周期:');
    for (const o of onboarding) lines.push(`  ${o.dutyId}  ${onboardingText(o)}`);
  }
  if (rosterMoves.length > 0) {
    lines.push(`名册变更涉及的未办结任务 ${rosterMoves.length} 项:`);
    for (const m of rosterMoves) lines.push(`  转办  ${m.taskId}  ${m.from.personId} → ${m.to ? m.to.personId : '(该单位无人可接,请手工转办)'}  ${m.reason}`);
  }
  if (versions.length > 0) {
    lines.push('条款版本(按生效日期,已开启的任务保持开启时的条款):');
    for (const v of versions) lines.push(`  ${v.dutyId}  ${versionText(v)}`);
  }
  return [...lines, ...retiredText(retired)].join('\n');
}

/** `--by` and `--reason` belong to `--close-open-tasks`, which needs `--by`: anything else is refused before any change. */
function closeOption(opts: { closeOpenTasks?: boolean; by?: string; reason?: string }): CloseOpenTasks | undefined {
  if (!opts.closeOpenTasks) {
    if (opts.by !== undefined || opts.reason !== undefined) throw new UsageError('--by 和 --reason 只用于 --close-open-tasks');
    return undefined;
  }
  if (!opts.by) throw new UsageError('--close-open-tasks 须同时给出 --by <管理员编号>');
  return { by: opts.by, ...(opts.reason !== undefined ? { reason: opts.reason } : {}) };
}

export function catalogCommands(program: Command, ctx: CliContext): void {
  program
    .command('validate [catalogDir]')
    .description('校验职责目录与组织名册(不连接 Temporal)')
    .action(async (dir?: string) => {
      const catalog = await ctx.catalog(dir);
      print(`校验通过: ${catalog.duties.length} 项职责,${catalog.roster.units.length} 个单位,${catalog.roster.people.length} 名人员。`);
    });

  program
    .command('preview <dutyId>')
    .description('预览某项职责在日期范围内的每个周期的截止日期与提醒时间')
    .requiredOption('--from <date>', '开始日期 YYYY-MM-DD', localDate)
    .requiredOption('--to <date>', '结束日期 YYYY-MM-DD', localDate)
    .option('--json', '输出 JSON')
    .action(async (dutyId: string, opts: { from: string; to: string; json?: boolean }) => {
      const { duty, occurrences } = await previewOccurrences(ctx, dutyId, opts.from, opts.to);
      if (opts.json) return print(JSON.stringify(occurrences, null, 2));
      print(`${duty.title}(${duty.id},依据 ${duty.source})  ${opts.from} 至 ${opts.to} 共 ${occurrences.length} 个截止日期`);
      for (const v of versionChanges(duty, DateTime.now().setZone(ZONE).toISODate() ?? '')) print(`条款版本: ${versionText(v)}`);
      print(previewTable(occurrences));
    });

  program
    .command('plan [catalogDir]')
    .description('显示 apply 将做的变更,不做任何修改')
    .action(async (dir?: string) => {
      print(changesText(await planCatalog(ctx, dir)));
    });

  program
    .command('apply [catalogDir]')
    .description('把职责目录同步为 Temporal 计划(Schedule),只改动本系统创建的计划')
    .option('--dry-run', '只显示变更')
    .option('--close-open-tasks', '免除已从目录移除的职责的未办结任务(须同时给出 --by)')
    .option('--by <adminId>', '以哪位管理员的名义免除')
    .option('--reason <text>', '免除原因(默认: 职责已从职责目录移除)')
    .action(async (dir: string | undefined, opts: { dryRun?: boolean; closeOpenTasks?: boolean; by?: string; reason?: string }) => {
      // Right after a cluster's namespace is made, creating a schedule fails for a few seconds; wait instead.
      const client = await ctx.temporal();
      await waitForNamespace(client, client.options.namespace, { onWait: print });
      const plan = await applyCatalog(ctx, cliActor(), dir, Boolean(opts.dryRun), closeOption(opts));
      print(`${opts.dryRun ? '(试运行,未做修改)\n' : ''}${changesText(plan)}`);
    });
}
