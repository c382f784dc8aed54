import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { UsageError } from '../../errors';
import { scheduleId } from '../../shared/ids';
import { print, type CliContext } from '../context';
import { localDate } from '../options';

const ZONE = 'Asia/Shanghai';

function localTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}

/** Refers to a duty's schedule only after checking the duty exists in the catalog, so a typo names the duty, not a schedule id. */
async function scheduleOf(ctx: CliContext, dutyId: string): Promise<{ client: Client; handle: ReturnType<Client['schedule']['getHandle']> }> {
  await ctx.duty(dutyId);
  const client = await ctx.temporal();
  const handle = client.schedule.getHandle(scheduleId(dutyId));
  await handle.describe();
  return { client, handle };
}

export function scheduleCommands(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('列出各职责计划的状态与下次执行时间')
    .action(async () => {
      const { duties } = await ctx.catalog();
      const client = await ctx.temporal();
      const table = new Table({ head: ['职责', '名称', '状态', '下次开启'], style: { head: [], border: [] } });
      for (const duty of duties.filter((d) => d.recurrence.kind !== 'triggered')) {
        const d = await client.schedule
          .getHandle(scheduleId(duty.id))
          .describe()
          .catch(() => undefined);
        const state = !d ? '未应用' : d.state.paused ? `已暂停: ${d.state.note ?? ''}` : '运行中';
        table.push([duty.id, duty.title, state, d ? d.info.nextActionTimes.slice(0, 2).map(localTime).join('\n') : '']);
      }
      print(table.toString());
    });

  program
    .command('pause <dutyId>')
    .description('暂停某项职责的计划(不再生成新周期的任务)')
    .requiredOption('--reason <text>', '暂停原因')
    .action(async (dutyId: string, opts: { reason: string }) => {
      if (!opts.reason.trim()) throw new UsageError('--reason 不能为空');
      const { handle } = await scheduleOf(ctx, dutyId);
      await handle.pause(`暂停原因: ${opts.reason.trim()}`);
      print(`已暂停 ${dutyId}。原因: ${opts.reason.trim()}`);
    });

  program
    .command('resume <dutyId>')
    .description('恢复已暂停的职责计划')
    .action(async (dutyId: string) => {
      const { handle } = await scheduleOf(ctx, dutyId);
      await handle.unpause('已恢复');
      print(`已恢复 ${dutyId}。`);
    });

  program
    .command('trigger <dutyId>')
    .description('立即为当前周期生成任务(已存在的任务不会重复生成)')
    .action(async (dutyId: string) => {
      const { handle } = await scheduleOf(ctx, dutyId);
      await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      print(`已触发 ${dutyId} 的当前周期。用 duty task list 查看任务。`);
    });

  program
    .command('backfill <dutyId>')
    .description('补生成系统停机期间错过的周期(已存在的任务不会重复生成)')
    .requiredOption('--from <date>', '开始日期 YYYY-MM-DD', localDate)
    .requiredOption('--to <date>', '结束日期 YYYY-MM-DD', localDate)
    .action(async (dutyId: string, opts: { from: string; to: string }) => {
      if (opts.from > opts.to) throw new UsageError(`--from (${opts.from}) 不能晚于 --to (${opts.to})`);
      const { handle } = await scheduleOf(ctx, dutyId);
      const start = DateTime.fromISO(opts.from, { zone: ZONE }).startOf('day').toJSDate();
      const end = DateTime.fromISO(opts.to, { zone: ZONE }).endOf('day').toJSDate();
      await handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      print(`已补生成 ${dutyId} 在 ${opts.from} 至 ${opts.to} 之间开启的周期。`);
    });
}
