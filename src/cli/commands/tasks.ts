import type { Command } from 'commander';
import Table from 'cli-table3';
import type { OrgTree } from '../../roster/orgTree';
import type { TaskState } from '../../contracts/dutyTask';
import type { TaskFlag, TaskStatus } from '../../shared/searchAttributes';
import { FLAG_NAMES, LIGHT_NAMES, STATUS_NAMES, stateName } from '../../shared/taskStates';
import { TASK_FLAGS, TASK_STATUSES, type TaskSummary } from '../../tasks/query';
import { OPERATOR } from '../../auth/policy';
import { withEvidence } from '../../services/evidence';
import { withLights } from '../../services/lights';
import { completeTask, findTasks, showTask, waiveTask } from '../../services/tasks';
import { print, type CliContext } from '../context';
import { collectAttach, readAttachments } from '../attach';
import { collectField, oneOf } from '../options';
import { describeTask } from './taskDetail';
import { taskStepCommands } from './taskSteps';

function personName(tree: OrgTree, id: string): string {
  return tree.hasPerson(id) ? `${tree.person(id).name}(${id})` : id;
}

/** An extended deadline names the one it replaced, so `延期中` in the state column reads with both dates. */
function deadlineCell(t: TaskSummary): string {
  return `${t.dueOn}${t.provisional ? '(暂定)' : ''}${t.originalDueOn ? `(原 ${t.originalDueOn})` : ''}`;
}

export function taskCommands(program: Command, ctx: CliContext): void {
  const task = program.command('task').description('任务:查看、签收、反馈进展、延期、完成、审核、转办、免除');

  task
    .command('list')
    .description('列出任务')
    .option('--assignee <personId>', '责任人编号')
    .option('--unit <unitId>', '单位编号(含下级单位)')
    .option('--duty <dutyId>', '职责编号')
    .option('--period <period>', '周期,如 2026-03')
    .option('--status <status>', `状态 ${TASK_STATUSES.map((s) => `${s}(${STATUS_NAMES[s]})`).join('|')}`, oneOf(TASK_STATUSES))
    .option('--flag <flag>', `督办标记 ${TASK_FLAGS.map((f) => `${f}(${FLAG_NAMES[f]})`).join('|')}`, oneOf(TASK_FLAGS))
    .option('--json', '输出 JSON')
    .action(async (opts: { assignee?: string; unit?: string; duty?: string; period?: string; status?: TaskStatus; flag?: TaskFlag; json?: boolean }) => {
      const tree = await ctx.tree();
      const tasks = withLights(ctx, await findTasks(ctx, OPERATOR, {
        assignee: opts.assignee,
        unit: opts.unit,
        dutyId: opts.duty,
        period: opts.period,
        statuses: opts.status ? [opts.status] : undefined,
        flags: opts.flag ? [opts.flag] : undefined,
      }));
      if (opts.json) return print(JSON.stringify(tasks, null, 2));
      const table = new Table({ head: ['任务编号', '职责', '周期', '责任人', '截止', '状态', '亮灯'], style: { head: [], border: [] } });
      for (const t of tasks) {
        table.push([t.taskId, `${t.dutyTitle}${t.phaseTitle ? `·${t.phaseTitle}` : ''}`, t.period, personName(tree, t.assignee), deadlineCell(t), stateName(t.status, t.flags), LIGHT_NAMES[t.light]]);
      }
      print(`共 ${tasks.length} 项任务`);
      if (tasks.length) print(table.toString());
    });

  task
    .command('show <taskId>')
    .description('查看任务详情:状态、签收、进展、延期、办结与审核、退回、转办、佐证材料、经过、通知记录')
    .option('--json', '输出 JSON')
    .action(async (taskId: string, opts: { json?: boolean }) => {
      const state: TaskState = await showTask(ctx, OPERATOR, taskId);
      print(opts.json ? JSON.stringify(state, null, 2) : describeTask(state, await ctx.tree()));
    });

  task
    .command('complete <taskId>')
    .description('登记任务完成,附说明、所需数据和佐证材料(须审核的职责提交后等待审核)')
    .requiredOption('--by <personId>', '办理人编号')
    .option('--note <text>', '情况说明')
    .option('--field <key=value>', '数据项,可重复', collectField)
    .option('--attach <file>', '佐证材料(图片、PDF、Excel 或 Word),可重复', collectAttach)
    .action(async (taskId: string, opts: { by: string; note?: string; field?: Record<string, string>; attach?: string[] }) => {
      const uploads = await readAttachments(opts.attach ?? [], ctx.settings.evidence);
      const state = await withEvidence(ctx, OPERATOR, taskId, uploads, (attachments) =>
        completeTask(ctx, OPERATOR, { id: opts.by, via: 'cli' }, taskId, { by: opts.by, note: opts.note, fields: opts.field ?? {}, ...(attachments.length ? { attachments } : {}) }),
      );
      const files = state.completion?.attachments?.length ? `,附件 ${state.completion.attachments.length} 个` : '';
      print(state.status === 'review' ? `已登记办结,等待审核: ${state.taskId}(${state.dutyTitle} ${state.period})${files}` : `已完成: ${state.taskId}(${state.dutyTitle} ${state.period})${files}`);
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

  taskStepCommands(task, ctx);
}
