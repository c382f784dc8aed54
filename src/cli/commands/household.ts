import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import { DutyError, NotFoundError, UsageError } from '../../errors';
import { householdState, lifecycleState, listHouseholds, revisitState } from '../../households/client';
import { planImport, runImport } from '../../households/importer';
import { describeHousehold, HOUSEHOLD_STATUS, maskedView, type HouseholdView } from '../../households/show';
import { clearRiskUpdate, type HouseholdState, householdWorkflowId, riskFoundUpdate, riskReturnedUpdate } from '../../contracts/household';
import { HOUSEHOLD_ID } from '../../shared/household';
import { loadPayloadKeys } from '../../temporal/payloadKeys';
import { print, type CliContext } from '../context';
import { localDate } from '../options';

function today(): string {
  return DateTime.now().setZone('Asia/Shanghai').toISODate() ?? '';
}

/** Personal data may only go to Temporal encrypted; without a key the import stops before reading anything. */
function requireEncryption(ctx: CliContext): void {
  const keys = loadPayloadKeys(process.env, ctx.settings.dataDir);
  if (!keys.current) {
    throw new UsageError(
      `农户数据含姓名和身份证号,必须加密后才能写入 Temporal,但未配置加密密钥(${keys.source})。请设置 DUTY_PAYLOAD_KEY(openssl rand -base64 32),或先运行 npm start 生成 .data/payload-keys.json`,
    );
  }
}

async function stateOf(client: Client, householdId: string): Promise<HouseholdState> {
  if (!HOUSEHOLD_ID.test(householdId)) throw new UsageError(`户编号无效: ${JSON.stringify(householdId)}`);
  try {
    return await householdState(client, householdId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError('农户', householdId);
    throw err;
  }
}

async function viewOf(client: Client, householdId: string): Promise<HouseholdView> {
  const household = await stateOf(client, householdId);
  const ids = (kind: string) => household.episodes.filter((e) => e.kind === kind && e.status !== 'expired').map((e) => e.workflowId);
  return {
    household: { record: household.record, status: household.status, episodes: household.episodes, events: household.events },
    programmes: await Promise.all(ids('revisit').map((id) => revisitState(client, id))),
    lifecycles: await Promise.all(ids('lifecycle').map((id) => lifecycleState(client, id))),
  };
}

type DatedUpdate = typeof clearRiskUpdate;

/** clear / risk-returned / risk-found: one Update to the household, which refuses anything that does not fit its state. */
async function dated(ctx: CliContext, update: DatedUpdate, householdId: string, opts: { on: string; by: string }): Promise<HouseholdState> {
  (await ctx.tree()).person(opts.by);
  const client = await ctx.temporal();
  await stateOf(client, householdId);
  return client.workflow.getHandle(householdWorkflowId(householdId)).executeUpdate(update, { args: [{ on: opts.on, by: opts.by }] });
}

function latest(state: HouseholdState, kind: 'revisit' | 'lifecycle'): string {
  return [...state.episodes].reverse().find((e) => e.kind === kind)?.workflowId ?? '';
}

export function householdCommands(program: Command, ctx: CliContext): void {
  const household = program.command('household').description('监测对象: 导入、风险消除与回头看、风险返回、识别帮扶流程');

  household
    .command('import <file>')
    .description('导入监测对象(.csv 或 .xlsx);任何一行有误则整个文件不导入;重复导入只更新有变化的户')
    .option('--sheet <name>', 'XLSX 的工作表名(默认第一个)')
    .option('--by <personId>', '导入人编号', 'import')
    .option('--dry-run', '只校验和比对,不写入')
    .option('--json', '输出 JSON')
    .action(async (file: string, opts: { sheet?: string; by: string; dryRun?: boolean; json?: boolean }) => {
      requireEncryption(ctx);
      const tree = await ctx.tree();
      const client = await ctx.temporal();
      const plan = await planImport(client, tree, file, today(), opts.sheet);
      const summary = { rows: plan.rows, create: plan.create.length, update: plan.update.length, unchanged: plan.unchanged, withClearance: plan.withClearance, ignoredColumns: plan.ignoredColumns };
      if (opts.dryRun) {
        if (opts.json) return print(JSON.stringify({ dryRun: true, ...summary }, null, 2));
        return print(`校验通过(未写入): ${plan.rows} 户,将新增 ${summary.create} 户,更新 ${summary.update} 户,无变化 ${plan.unchanged} 户。`);
      }
      const started = Date.now();
      const result = await runImport(client, ctx.settings.taskQueue, tree, plan, {
        by: opts.by,
        progress: (done, total) => {
          if (!opts.json && total >= 1000 && (done % 1000 === 0 || done === total)) process.stderr.write(`  已写入 ${done}/${total}\n`);
        },
      });
      if (opts.json) return print(JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000 }, null, 2));
      const lines = [`导入完成: ${result.rows} 户,新增 ${result.created} 户,更新 ${result.updated} 户,无变化 ${result.unchanged} 户。`];
      if (result.withClearance && result.created + result.updated > 0) lines.push(`其中 ${result.withClearance} 户有风险消除日期: 系统为其启动一年四次的"回头看"(已启动的不重复,消除已满一年的不再启动)。`);
      if (result.ignoredColumns.length) lines.push(`已忽略的列: ${result.ignoredColumns.join('、')}`);
      print(lines.join('\n'));
    });

  household
    .command('clear <householdId>')
    .description('登记风险消除,启动该户一年四次的"回头看"(同一日期重复登记不会重复启动)')
    .requiredOption('--on <date>', '风险消除日期 YYYY-MM-DD', localDate)
    .requiredOption('--by <personId>', '登记人编号')
    .action(async (householdId: string, opts: { on: string; by: string }) => {
      try {
        const state = await dated(ctx, clearRiskUpdate, householdId, opts);
        const started = state.episodes.find((e) => e.startedOn === opts.on && e.kind === 'revisit');
        if (!started) throw new DutyError(`已登记风险消除 ${opts.on},但回头看计划未能启动: ${state.events.at(-1)?.detail ?? '原因见 household show'}`);
        print(started.status === 'expired' ? `已登记风险消除 ${opts.on};该日期距今已满一年,不再安排回头看。` : `已登记风险消除 ${opts.on},回头看计划 ${started.workflowId} 已启动。`);
      } catch (err) {
        const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
        if (cause instanceof ApplicationFailure && cause.type === 'AlreadyStarted') return print(`${cause.message}。`);
        throw err;
      }
    });

  household
    .command('risk-returned <householdId>')
    .description('回头看期内风险返回: 取消其余回头看,该户重新进入识别帮扶流程')
    .requiredOption('--on <date>', '发现日期 YYYY-MM-DD', localDate)
    .requiredOption('--by <personId>', '登记人编号')
    .action(async (householdId: string, opts: { on: string; by: string }) => {
      const state = await dated(ctx, riskReturnedUpdate, householdId, opts);
      print(`已登记风险返回 ${opts.on}: 其余回头看已取消(原因: 风险返回),识别帮扶流程 ${latest(state, 'lifecycle')} 已启动。`);
    });

  household
    .command('risk-found <householdId>')
    .description('发现风险: 启动排查→比对→核实→认定→帮扶→退出流程')
    .requiredOption('--on <date>', '发现日期 YYYY-MM-DD', localDate)
    .requiredOption('--by <personId>', '登记人编号')
    .action(async (householdId: string, opts: { on: string; by: string }) => {
      const state = await dated(ctx, riskFoundUpdate, householdId, opts);
      print(`识别帮扶流程 ${latest(state, 'lifecycle')} 已启动,首个环节"排查"已派给村干部。`);
    });

  household
    .command('show <householdId>')
    .description('查看一户: 基本信息(姓名、身份证号脱敏)、回头看和识别帮扶各环节')
    .option('--json', '输出 JSON(同样脱敏)')
    .action(async (householdId: string, opts: { json?: boolean }) => {
      const view = await viewOf(await ctx.temporal(), householdId);
      print(opts.json ? JSON.stringify(maskedView(view), null, 2) : describeHousehold(view, await ctx.tree()));
    });

  household
    .command('list')
    .description('列出已登记的监测对象(只显示编号和状态)')
    .option('--unit <unitId>', '单位编号(含下级)')
    .option('--json', '输出 JSON')
    .action(async (opts: { unit?: string; json?: boolean }) => {
      const tree = await ctx.tree();
      if (opts.unit) tree.unit(opts.unit);
      const rows = await listHouseholds(await ctx.temporal(), opts.unit);
      if (opts.json) return print(JSON.stringify(rows.map(({ memo: _memo, ...r }) => r), null, 2));
      const table = new Table({ head: ['户编号', '村', '状态'], style: { head: [], border: [] } });
      for (const r of rows) {
        const status = HOUSEHOLD_STATUS[r.status as keyof typeof HOUSEHOLD_STATUS] ?? r.status;
        table.push([r.householdId, tree.hasUnit(r.villageId) ? tree.unit(r.villageId).name : r.villageId, status]);
      }
      print(`共 ${rows.length} 户`);
      if (rows.length) print(table.toString());
    });
}
