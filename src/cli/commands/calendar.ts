import type { Command } from 'commander';
import { calendarStatus, replanProvisional, type Replanned } from '../../services/calendarReplan';
import { cliActor } from '../../services/context';
import { print, type CliContext } from '../context';

function movedLine(r: Replanned): string {
  return `  ${r.taskId}  ${r.fromDueOn} → ${r.toDueOn}`;
}

export function calendarCommands(program: Command, ctx: CliContext): void {
  const calendar = program.command('calendar').description('节假日数据:覆盖年份、暂定任务、按新数据重排');

  calendar
    .command('status')
    .description('列出有节假日数据的年份(来源与版本)和截止日仍为暂定的未办结任务')
    .option('--json', '输出 JSON')
    .action(async (opts: { json?: boolean }) => {
      const status = await calendarStatus(ctx);
      if (opts.json) return print(JSON.stringify(status, null, 2));
      const label = (source: string) => (source === 'chinese-days' ? `chinese-days ${status.packageVersion}` : source);
      print(`有节假日数据的年份: ${status.years.map((r) => `${r.from === r.to ? r.from : `${r.from}–${r.to}`}(${label(r.source)})`).join(', ')}`);
      print(`截止日暂定(该年无节假日数据)的未办结任务 ${status.provisionalTasks.length} 项${status.provisionalTasks.length ? ':' : ''}`);
      for (const t of status.provisionalTasks) print(`  ${t.taskId}  截止 ${t.dueOn}(暂定)`);
    });

  calendar
    .command('replan')
    .description('按当前节假日数据重排暂定任务的截止日、提醒与逾期时间(运行中的 npm start 会在节假日文件变化后自动执行)')
    .option('--dry-run', '只显示将要改动的任务')
    .action(async (opts: { dryRun?: boolean }) => {
      const outcome = await replanProvisional(ctx, cliActor(), Boolean(opts.dryRun));
      print(`${opts.dryRun ? '(试运行,未做修改)\n' : ''}截止日改变 ${outcome.moved.length} 项(已通知责任人),截止日不变 ${outcome.confirmed.length} 项,仍为暂定或未改动 ${outcome.untouched.length} 项`);
      for (const r of outcome.moved) print(movedLine(r));
    });
}
