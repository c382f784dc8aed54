import type { Command } from 'commander';
import type { Actor } from '../../audit/log';
import { OPERATOR } from '../../auth/policy';
import type { TaskState } from '../../contracts/dutyTask';
import { UsageError, ValidationError } from '../../errors';
import type { OrgTree } from '../../roster/orgTree';
import { withEvidence } from '../../services/evidence';
import { acknowledgeTask, decideExtension, reassignTask, reportProgress, requestExtension, reviewTask } from '../../services/taskSteps';
import { nameOf, type StepCall } from '../../services/tasks';
import { print, type CliContext } from '../context';
import { collectAttach, readAttachments } from '../attach';
import { collectField } from '../options';

/**
 * The 督办 steps on the command line: 签收, 反馈进展, 申请延期, 审批延期, 办结审核, 转办. The CLI acts with full rights
 * (OPERATOR); `--by` names the person the step is recorded for, and the service checks them against the roster.
 */

/** What the service calls a field, as the command line spells it, so an error names the option to fix. */
const OPTION_OF: Record<string, string> = { dueOn: '--to', to: '--to', reason: '--reason', note: '--note', fields: '--field' };

async function step<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.subject, err.issues.map((i) => ({ ...i, path: OPTION_OF[i.path] ?? (i.path.startsWith('fields.') ? `--field ${i.path.slice(7)}` : i.path) })));
  }
}

function call(ctx: CliContext, taskId: string, by: string): StepCall {
  const actor: Actor = { id: by, via: 'cli' };
  return { ctx, viewer: OPERATOR, actor, taskId };
}

const title = (s: TaskState) => `${s.taskId}(${s.dutyTitle}${s.phaseTitle ? `·${s.phaseTitle}` : ''} ${s.period})`;

export function taskStepCommands(task: Command, ctx: CliContext): void {
  task
    .command('ack <taskId>')
    .description('签收任务(表示已收到、开始办理;重复签收不重复记录)')
    .requiredOption('--by <personId>', '签收人编号(责任人、同单位人员或管理员)')
    .action(async (taskId: string, opts: { by: string }) => {
      const state = await step(() => acknowledgeTask(call(ctx, taskId, opts.by), opts.by));
      print(`已签收: ${title(state)}`);
    });

  task
    .command('progress <taskId>')
    .description('反馈办理进展,可附阶段性数据')
    .requiredOption('--by <personId>', '反馈人编号(责任人、同单位人员或管理员)')
    .requiredOption('--note <text>', '进展情况')
    .option('--field <key=value>', '阶段性数据,可重复', collectField)
    .option('--attach <file>', '佐证材料(图片、PDF、Excel 或 Word),可重复', collectAttach)
    .action(async (taskId: string, opts: { by: string; note: string; field?: Record<string, string>; attach?: string[] }) => {
      const uploads = await readAttachments(opts.attach ?? [], ctx.settings.evidence);
      const state = await step(() =>
        withEvidence(ctx, OPERATOR, taskId, uploads, (attachments) =>
          reportProgress(call(ctx, taskId, opts.by), { by: opts.by, note: opts.note, fields: opts.field ?? {}, ...(attachments.length ? { attachments } : {}) }),
        ),
      );
      const files = state.progress?.attachments?.length ? `,附件 ${state.progress.attachments.length} 个` : '';
      print(`已反馈进展: ${title(state)}${files}`);
    });

  task
    .command('extend <taskId>')
    .description('申请延期,由该单位的督查人员或管理员审批')
    .requiredOption('--by <personId>', '申请人编号(责任人、同单位人员或管理员)')
    .requiredOption('--to <date>', '申请延至 YYYY-MM-DD(须晚于当前截止日;职责要求顺延时须为工作日)')
    .requiredOption('--reason <text>', '延期原因')
    .action(async (taskId: string, opts: { by: string; to: string; reason: string }) => {
      const state = await step(() => requestExtension(call(ctx, taskId, opts.by), { by: opts.by, dueOn: opts.to, reason: opts.reason }));
      print(`已申请延期: ${title(state)} 申请延至 ${state.extension?.pending?.dueOn ?? opts.to},等待审批`);
    });

  task
    .command('decide-extension <taskId>')
    .description('审批延期申请: --approve 批准(可用 --to 缩短日期),或 --reject 驳回并说明原因')
    .requiredOption('--by <personId>', '审批人编号(该单位的督查人员或管理员)')
    .option('--approve', '批准')
    .option('--reject', '驳回')
    .option('--to <date>', '批准的截止日期 YYYY-MM-DD(默认为申请的日期,只能提前不能推后)')
    .option('--reason <text>', '驳回原因(驳回时必填)或批准说明')
    .action(async (taskId: string, opts: { by: string; approve?: boolean; reject?: boolean; to?: string; reason?: string }) => {
      if (Boolean(opts.approve) === Boolean(opts.reject)) throw new UsageError('请指定 --approve(批准)或 --reject(驳回)其中之一');
      if (opts.reject && opts.to) throw new UsageError('--to 只用于批准(--approve);驳回时不能指定日期');
      const req = { by: opts.by, approve: Boolean(opts.approve), ...(opts.to ? { dueOn: opts.to } : {}), ...(opts.reason !== undefined ? { reason: opts.reason } : {}) };
      const state = await step(() => decideExtension(call(ctx, taskId, opts.by), req));
      print(opts.approve ? `已批准延期: ${title(state)} 截止日改为 ${state.dueOn}` : `已驳回延期申请: ${title(state)} 截止日仍为 ${state.dueOn}`);
    });

  task
    .command('review <taskId>')
    .description('办结审核: --accept 审核通过(任务办结),或 --return 退回并说明原因(可用 --to 给出新的截止日期)')
    .requiredOption('--by <personId>', '审核人编号(该单位的督查人员或管理员,不能是办理人本人)')
    .option('--accept', '审核通过')
    .option('--return', '退回重办')
    .option('--reason <text>', '退回原因(退回时必填)或审核说明')
    .option('--to <date>', '退回时新的截止日期 YYYY-MM-DD(不填则沿用原截止日)')
    .action(async (taskId: string, opts: { by: string; accept?: boolean; return?: boolean; reason?: string; to?: string }) => {
      if (Boolean(opts.accept) === Boolean(opts.return)) throw new UsageError('请指定 --accept(审核通过)或 --return(退回)其中之一');
      if (opts.accept && opts.to) throw new UsageError('--to 只用于退回(--return);审核通过时不能指定日期');
      const req = { by: opts.by, accept: Boolean(opts.accept), ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...(opts.to ? { dueOn: opts.to } : {}) };
      const state = await step(() => reviewTask(call(ctx, taskId, opts.by), req));
      print(opts.accept ? `审核通过,任务已办结: ${title(state)}` : `已退回: ${title(state)} 截止日 ${state.dueOn}`);
    });

  task
    .command('reassign <taskId>')
    .description('转办: 交给本单位或您督查的单位中的其他人办理(该单位的督查人员或管理员)')
    .requiredOption('--by <personId>', '转办人编号(该单位的督查人员或管理员)')
    .requiredOption('--to <personId>', '新的责任人编号')
    .requiredOption('--reason <text>', '转办原因')
    .action(async (taskId: string, opts: { by: string; to: string; reason: string }) => {
      const state = await step(() => reassignTask(call(ctx, taskId, opts.by), { by: opts.by, to: opts.to, reason: opts.reason }));
      print(`已转办: ${title(state)} 现由 ${holder(await ctx.tree(), state)} 办理`);
    });
}

function holder(tree: OrgTree, state: TaskState): string {
  const unit = tree.hasUnit(state.assignee.unitId) ? tree.unit(state.assignee.unitId).name : state.assignee.unitId;
  return `${unit} ${nameOf(tree, state.assignee.personId)}`;
}
