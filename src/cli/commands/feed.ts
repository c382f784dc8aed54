import type { Command } from 'commander';
import { feedTokens, feedUrl } from '../../feeds/tokens';
import { storeBackend } from '../../store/backend';
import { print, type CliContext } from '../context';

/** `duty feed create|revoke|list`: private ICS subscription URLs, one per person, served at /feeds/<token>.ics. */
export function feedCommands(program: Command, ctx: CliContext): void {
  const tokens = async () => feedTokens(await storeBackend(ctx.settings));
  const feed = program.command('feed').description('个人任务截止日历订阅 (ICS)');

  feed
    .command('create <personId>')
    .description('生成某人的私有日历订阅地址;已有的旧地址随即失效')
    .action(async (personId: string) => {
      (await ctx.tree()).person(personId);
      const url = feedUrl(await (await tokens()).create(personId));
      print(
        [
          `已为 ${personId} 生成日历订阅地址(只显示这一次,请仅发给本人;旧地址已失效):`,
          `  ${url}`,
          '在手机日历中选择“添加订阅日历”并粘贴此地址。',
          `地址泄露时: duty feed revoke ${personId},再重新生成。`,
        ].join('\n'),
      );
    });

  feed
    .command('revoke <personId>')
    .description('作废某人的日历订阅地址')
    .action(async (personId: string) => {
      print((await (await tokens()).revoke(personId)) ? `已作废 ${personId} 的日历订阅地址。` : `${personId} 没有日历订阅地址,无需作废。`);
    });

  feed
    .command('list')
    .description('列出已开通日历订阅的人员(不显示地址)')
    .action(async () => {
      const feeds = await (await tokens()).list();
      print(feeds.length ? feeds.map((f) => `  ${f.personId}  生成于 ${f.createdAt}`).join('\n') : '尚无人开通日历订阅。');
    });
}
