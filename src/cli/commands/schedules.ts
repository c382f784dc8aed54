import type { Command } from 'commander';
import { onboardingText } from '../../schedules/onboarding';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { cliActor } from '../../services/context';
import { backfillDuty, dutyStatuses, pauseDuty, resumeDuty, triggerDuty } from '../../services/duties';
import { print, type CliContext } from '../context';
import { localDate } from '../options';
import { ZONE } from '../../shared/zone';


function localTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}

export function scheduleCommands(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('列出各职责计划的状态与下次执行时间')
    .action(async () => {
      const table = new Table({ head: ['职责', '名称', '状态', '下次开启'], style: { head: [], border: [] } });
      for (const { duty, state, note, nextActionTimes, notOpened } of (await dutyStatuses(ctx)).filter((d) => d.state !== 'event')) {
        const text = `${state === 'unapplied' ? '未应用' : state === 'paused' ? `已暂停: ${note ?? ''}` : '运行中'}${notOpened ? `\n${onboardingText(notOpened)}` : ''}`;
        table.push([duty.id, duty.title, text, nextActionTimes.slice(0, 2).map(localTime).join('\n')]);
      }
      print(table.toString());
    });

  program
    .command('pause <dutyId>')
    .description('暂停某项职责的计划(不再生成新周期的任务)')
    .requiredOption('--reason <text>', '暂停原因')
    .action(async (dutyId: string, opts: { reason: string }) => {
      const reason = await pauseDuty(ctx, cliActor(), dutyId, opts.reason);
      print(`已暂停 ${dutyId}。原因: ${reason}`);
    });

  program
    .command('resume <dutyId>')
    .description('恢复已暂停的职责计划')
    .action(async (dutyId: string) => {
      const current = await resumeDuty(ctx, cliActor(), dutyId);
      print(`已恢复 ${dutyId}。${current ? onboardingText(current) : ''}`);
    });

  program
    .command('trigger <dutyId>')
    .description('立即为当前周期生成任务(已存在的任务不会重复生成)')
    .action(async (dutyId: string) => {
      await triggerDuty(ctx, cliActor(), dutyId);
      print(`已触发 ${dutyId} 的当前周期。用 duty task list 查看任务。`);
    });

  program
    .command('backfill <dutyId>')
    .description('补生成系统停机期间错过的周期(已存在的任务不会重复生成)')
    .requiredOption('--from <date>', '开始日期 YYYY-MM-DD', localDate)
    .requiredOption('--to <date>', '结束日期 YYYY-MM-DD', localDate)
    .action(async (dutyId: string, opts: { from: string; to: string }) => {
      await backfillDuty(ctx, cliActor(), dutyId, opts.from, opts.to);
      print(`已补生成 ${dutyId} 在 ${opts.from} 至 ${opts.to} 之间开启的周期。`);
    });
}
