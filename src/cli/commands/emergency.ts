import type { Command } from 'commander';
import { cliActor } from '../../services/context';
import { type EmergencyOutcome, extendTasks, liftEmergency, listEmergencies, suspendUnits } from '../../services/emergencies';
import { print, type CliContext } from '../context';

const units = (value: string) => value.split(',').map((u) => u.trim()).filter(Boolean);

function outcomeText(o: EmergencyOutcome, done: string): string {
  if (o.dryRun) return `(试运行,未做修改)将涉及未办结任务 ${o.tasks} 项,其中截止日顺延 ${o.moved} 项。确认无误后去掉 --dry-run 再执行。`;
  return `${done} ${o.emergency.id}:涉及任务 ${o.tasks} 项,截止日顺延 ${o.moved} 项。撤销: npm run duty -- emergency lift ${o.emergency.id}`;
}

export function emergencyCommands(program: Command, ctx: CliContext): void {
  const emergency = program.command('emergency').description('紧急情况(自然灾害、汛期等):暂停提醒与升级、统一延期、撤销');

  emergency
    .command('suspend')
    .description('在时间窗口内暂停这些单位(含下级)所有未办结任务的提醒与升级;窗口内的截止日按覆盖的工作日数顺延')
    .requiredOption('--units <ids>', '单位编号,逗号分隔,如 t-a,t-b', units)
    .requiredOption('--from <date>', '开始日期 YYYY-MM-DD')
    .requiredOption('--to <date>', '结束日期 YYYY-MM-DD(含当天)')
    .requiredOption('--reason <text>', '原因,如 洞庭湖汛期防汛')
    .option('--dry-run', '只显示将涉及的任务数')
    .action(async (opts: { units: string[]; from: string; to: string; reason: string; dryRun?: boolean }) => {
      print(outcomeText(await suspendUnits(ctx, cliActor(), { ...opts, dryRun: Boolean(opts.dryRun) }), '已暂停'));
    });

  emergency
    .command('extend')
    .description('把这些单位(含下级)某职责某周期的未办结任务统一延期到同一天')
    .requiredOption('--units <ids>', '单位编号,逗号分隔', units)
    .requiredOption('--duty <dutyId>', '职责编号')
    .requiredOption('--period <period>', '周期,如 2026-07')
    .requiredOption('--to <date>', '新的截止日期 YYYY-MM-DD')
    .option('--reason <text>', '原因')
    .option('--dry-run', '只显示将涉及的任务数')
    .action(async (opts: { units: string[]; duty: string; period: string; to: string; reason?: string; dryRun?: boolean }) => {
      const outcome = await extendTasks(ctx, cliActor(), { units: opts.units, dutyId: opts.duty, period: opts.period, to: opts.to, reason: opts.reason, dryRun: Boolean(opts.dryRun) });
      print(outcomeText(outcome, '已统一延期'));
    });

  emergency
    .command('lift <id>')
    .description('撤销一项紧急情况:恢复提醒与升级,顺延或延期的截止日恢复原样')
    .action(async (id: string) => {
      const outcome = await liftEmergency(ctx, cliActor(), id);
      print(`已撤销 ${id}:涉及任务 ${outcome.tasks} 项。`);
    });

  emergency
    .command('list')
    .description('列出紧急情况')
    .action(async () => {
      const all = await listEmergencies(ctx);
      print(`共 ${all.length} 项`);
      for (const e of all) {
        const what = e.kind === 'suspend' ? `暂停 ${e.from} 至 ${e.to}` : `统一延期 ${e.dutyId} ${e.period} 至 ${e.dueOn}`;
        print(`  ${e.id}  ${what}  单位 ${e.units.join(',')}  任务 ${e.tasks.length} 项  ${e.liftedAt ? `已撤销(${e.liftedAt})` : '生效中'}  原因: ${e.reason}`);
      }
    });
}
