import type { Command } from 'commander';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import type { OrgTree } from '../../roster/orgTree';
import type { TaskState } from '../../contracts/dutyTask';
import type { TaskStatus } from '../../shared/searchAttributes';
import { TASK_STATUSES } from '../../tasks/query';
import { OPERATOR } from '../../auth/policy';
import { completeTask, findTasks, showTask, waiveTask } from '../../services/tasks';
import { print, type CliContext } from '../context';
import { collectField, oneOf } from '../options';
import { ZONE } from '../../shared/zone';

const STATUS_NAMES: Record<TaskStatus, string> = { open: '待办', overdue: '已逾期', done: '已完成', waived: '已免除' };

function personName(tree: OrgTree, id: string): string {
  return tree.hasPerson(id) ? `${tree.person(id).name}(${id})` : id;
}

function stamp(iso: string): string {
  return DateTime.fromISO(iso, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
}

export function describeTask(state: TaskState, tree: OrgTree): string {
  const lines = [
    `任务 ${state.taskId}`,
    `  职责: ${state.dutyTitle}${state.phaseTitle ? `·${state.phaseTitle}` : ''}(${state.dutyId})  周期: ${state.period}`,
    `  责任人: ${personName(tree, state.assignee.personId)}  单位: ${tree.hasUnit(state.assignee.unitId) ? tree.unit(state.assignee.unitId).name : state.assignee.unitId}`,
    `  状态: ${STATUS_NAMES[state.status]}  截止: ${state.dueOn}${state.provisional ? '(暂定)' : ''}  督办级别: ${state.escalationLevel}`,
  ];
  if (state.completion) {
    const fields = Object.entries(state.completion.fields).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    lines.push(`  完成: ${personName(tree, state.completion.by)} 于 ${stamp(state.completion.at)}${state.completion.note ? `,说明: ${state.completion.note}` : ''}${fields ? `,数据: ${fields}` : ''}`);
  }
  if (state.waiver) lines.push(`  免除: ${personName(tree, state.waiver.by)} 于 ${stamp(state.waiver.at)},原因: ${state.waiver.reason}`);
  lines.push('  经过:');
  for (const e of state.events) lines.push(`    ${stamp(e.at)}  ${e.action}  ${e.actor === 'system' ? '系统' : personName(tree, e.actor)}${e.detail ? `  ${e.detail}` : ''}`);
  lines.push(`  通知(${state.deliveries.length}):`);
  for (const d of state.deliveries) lines.push(`    ${stamp(d.sentAt)}  ${d.kind}${d.level ? `/L${d.level}` : ''}  → ${personName(tree, d.personId)}  ${d.channel}  ${d.result}${d.detail ? ` (${d.detail})` : ''}`);
  return lines.join('\n');
}

export function taskCommands(program: Command, ctx: CliContext): void {
  const task = program.command('task').description('任务:查看、完成、免除');

  task
    .command('list')
    .description('列出任务')
    .option('--assignee <personId>', '责任人编号')
    .option('--unit <unitId>', '单位编号(含下级单位)')
    .option('--duty <dutyId>', '职责编号')
    .option('--period <period>', '周期,如 2026-03')
    .option('--status <status>', '状态 open|overdue|done|waived', oneOf(TASK_STATUSES))
    .option('--json', '输出 JSON')
    .action(async (opts: { assignee?: string; unit?: string; duty?: string; period?: string; status?: TaskStatus; json?: boolean }) => {
      const tree = await ctx.tree();
      const tasks = await findTasks(ctx, OPERATOR, {
        assignee: opts.assignee,
        unit: opts.unit,
        dutyId: opts.duty,
        period: opts.period,
        statuses: opts.status ? [opts.status] : undefined,
      });
      if (opts.json) return print(JSON.stringify(tasks, null, 2));
      const table = new Table({ head: ['任务编号', '职责', '周期', '责任人', '截止', '状态'], style: { head: [], border: [] } });
      for (const t of tasks) {
        table.push([t.taskId, `${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}`, t.period, personName(tree, t.assignee), `${t.dueOn}${t.provisional ? '(暂定)' : ''}`, STATUS_NAMES[t.status]]);
      }
      print(`共 ${tasks.length} 项任务`);
      if (tasks.length) print(table.toString());
    });

  task
    .command('show <taskId>')
    .description('查看任务详情:状态、经过、通知记录')
    .option('--json', '输出 JSON')
    .action(async (taskId: string, opts: { json?: boolean }) => {
      const state: TaskState = await showTask(ctx, OPERATOR, taskId);
      print(opts.json ? JSON.stringify(state, null, 2) : describeTask(state, await ctx.tree()));
    });

  task
    .command('complete <taskId>')
    .description('登记任务完成,附说明和所需数据')
    .requiredOption('--by <personId>', '办理人编号')
    .option('--note <text>', '情况说明')
    .option('--field <key=value>', '数据项,可重复', collectField)
    .action(async (taskId: string, opts: { by: string; note?: string; field?: Record<string, string> }) => {
      const state = await completeTask(ctx, OPERATOR, { id: opts.by, via: 'cli' }, taskId, { by: opts.by, note: opts.note, fields: opts.field ?? {} });
      print(`已完成: ${state.taskId}(${state.dutyTitle} ${state.period})`);
    });

  task
    .command('waive <taskId>')
    .description('管理员免除任务')
    .requiredOption('--by <adminId>', '管理员编号')
    .requiredOption('--reason <text>', '免除原因')
    .action(async (taskId: string, opts: { by: string; reason: string }) => {
      const state = await waiveTask(ctx, OPERATOR, { id: opts.by, via: 'cli' }, taskId, { by: opts.by, reason: opts.reason });
      print(`已免除: ${state.taskId}。原因: ${opts.reason}`);
    });
}
