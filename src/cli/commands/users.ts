import type { Command } from 'commander';
import Table from 'cli-table3';
import { ROLE_NAMES, roleOf } from '../../auth/policy';
import { createAdmin, createToken, disableAccount, listAccounts, listTokens, logoutAll, revokeToken, setAccountPassword } from '../../services/accounts';
import { cliActor } from '../../services/context';
import { print, type CliContext } from '../context';
import { passwordFromStdin, promptNewPassword } from '../password';

/** Said after each command that ends access, so the operator knows scripts with those tokens now fail. */
function ended(tokensRevoked: number): string {
  return `原有会话已全部结束,吊销令牌 ${tokensRevoked} 个。`;
}

function newPassword(opts: { passwordStdin?: boolean }): () => Promise<string> {
  return () => (opts.passwordStdin ? passwordFromStdin() : promptNewPassword());
}

/** Accounts for the web pages and the API. Only people in the roster with a role can have one. */
export function userCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('网页与 API 账号、访问令牌');

  user
    .command('create-admin <personId>')
    .description('创建第一个管理员账号(该人员在名册中须有 admin 角色)')
    .option('--password-stdin', '从标准输入读取密码(否则在终端提示输入)')
    .action(async (personId: string, opts: { passwordStdin?: boolean }) => {
      const { person } = await createAdmin(ctx, cliActor(), personId, newPassword(opts));
      print(`已创建管理员账号 ${personId}(${person.name})。启动 npm start 后在网页 /login 用人员编号和密码登录。`);
    });

  user
    .command('set-password <personId>')
    .description('为名册中的人员开通账号或重设密码')
    .option('--password-stdin', '从标准输入读取密码(否则在终端提示输入)')
    .action(async (personId: string, opts: { passwordStdin?: boolean }) => {
      const { person, role, created, tokensRevoked } = await setAccountPassword(ctx, cliActor(), personId, newPassword(opts));
      print(created ? `已开通账号 ${personId}(${person.name},${ROLE_NAMES[role]})。` : `已重设账号 ${personId}(${person.name},${ROLE_NAMES[role]})的密码;${ended(tokensRevoked)}`);
    });

  user
    .command('logout-all <personId>')
    .description('让此人在所有设备上退出登录,并吊销其全部访问令牌,立即生效')
    .action(async (personId: string) => {
      const { tokensRevoked } = await logoutAll(ctx, cliActor(), personId);
      print(`${personId}:${ended(tokensRevoked)}`);
    });

  user
    .command('disable <personId>')
    .description('停用账号:不能再登录,现有会话和令牌立即失效;重新启用用 set-password')
    .action(async (personId: string) => {
      const { tokensRevoked } = await disableAccount(ctx, cliActor(), personId);
      print(`已停用账号 ${personId};${ended(tokensRevoked)}重新启用: duty user set-password ${personId}`);
    });

  user
    .command('list')
    .description('列出已开通的账号')
    .action(async () => {
      const tree = await ctx.tree();
      const table = new Table({ head: ['人员编号', '姓名', '角色', '单位', '开通时间', '令牌', '状态'], style: { head: [], border: [] } });
      const tokens = await listTokens(ctx);
      for (const a of await listAccounts(ctx)) {
        const p = tree.hasPerson(a.personId) ? tree.person(a.personId) : undefined;
        const role = p ? roleOf(p) : undefined;
        const live = tokens.filter((t) => t.personId === a.personId && !t.revokedAt).length;
        table.push([a.personId, p?.name ?? '(已不在名册)', role ? ROLE_NAMES[role] : '-', p ? tree.unit(p.unit).name : '-', a.createdAt.slice(0, 10), String(live), a.disabledAt ? `已停用 ${a.disabledAt.slice(0, 10)}` : '正常']);
      }
      print(table.toString());
    });

  const token = user.command('token').description('访问令牌(Authorization: Bearer,供脚本调用 API)');
  token
    .command('create <personId>')
    .description('为某人创建访问令牌,令牌只显示一次')
    .option('--label <text>', '用途说明', '脚本')
    .action(async (personId: string, opts: { label: string }) => {
      const created = await createToken(ctx, cliActor(), personId, opts.label);
      print(`已为 ${personId} 创建令牌 ${created.id}(用途: ${opts.label})。令牌只显示这一次:\n${created.token}`);
    });

  token
    .command('list')
    .description('列出访问令牌(不含令牌本身)')
    .action(async () => {
      const table = new Table({ head: ['令牌编号', '人员编号', '用途', '创建时间', '状态'], style: { head: [], border: [] } });
      for (const t of await listTokens(ctx)) table.push([t.id, t.personId, t.label, t.createdAt.slice(0, 16), t.revokedAt ? `已吊销 ${t.revokedAt.slice(0, 10)}` : '有效']);
      print(table.toString());
    });

  token
    .command('revoke <tokenId>')
    .description('吊销访问令牌,立即生效')
    .action(async (tokenId: string) => {
      await revokeToken(ctx, cliActor(), tokenId);
      print(`已吊销令牌 ${tokenId}。`);
    });
}
