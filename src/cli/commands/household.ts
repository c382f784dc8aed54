import type { Command } from 'commander';
import Table from 'cli-table3';
import { describeHousehold, HOUSEHOLD_STATUS } from '../../households/show';
import { cliActor } from '../../services/context';
import { clearHouseholdRisk, findHouseholds, householdRiskFound, householdRiskReturned, importHouseholds, showHousehold } from '../../services/households';
import { print, type CliContext } from '../context';
import { localDate } from '../options';

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
      const outcome = await importHouseholds(ctx, cliActor(), file, {
        sheet: opts.sheet,
        by: opts.by,
        dryRun: opts.dryRun,
        progress: (done, total) => {
          if (!opts.json && total >= 1000 && (done % 1000 === 0 || done === total)) process.stderr.write(`  已写入 ${done}/${total}\n`);
        },
      });
      if (outcome.dryRun) {
        const { summary } = outcome;
        if (opts.json) return print(JSON.stringify({ dryRun: true, ...summary }, null, 2));
        return print(`校验通过(未写入): ${summary.rows} 户,将新增 ${summary.create} 户,更新 ${summary.update} 户,无变化 ${summary.unchanged} 户。`);
      }
      const { result } = outcome;
      if (opts.json) return print(JSON.stringify({ ...result, seconds: outcome.seconds }, null, 2));
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
      const outcome = await clearHouseholdRisk(ctx, cliActor(), householdId, opts);
      if (outcome.kind === 'already') return print(`${outcome.message}。`);
      print(outcome.kind === 'expired' ? `已登记风险消除 ${opts.on};该日期距今已满一年,不再安排回头看。` : `已登记风险消除 ${opts.on},回头看计划 ${outcome.programmeId} 已启动。`);
    });

  household
    .command('risk-returned <householdId>')
    .description('回头看期内风险返回: 取消其余回头看,该户重新进入识别帮扶流程')
    .requiredOption('--on <date>', '发现日期 YYYY-MM-DD', localDate)
    .requiredOption('--by <personId>', '登记人编号')
    .action(async (householdId: string, opts: { on: string; by: string }) => {
      const lifecycleId = await householdRiskReturned(ctx, cliActor(), householdId, opts);
      print(`已登记风险返回 ${opts.on}: 其余回头看已取消(原因: 风险返回),识别帮扶流程 ${lifecycleId} 已启动。`);
    });

  household
    .command('risk-found <householdId>')
    .description('发现风险: 启动排查→比对→核实→认定→帮扶→退出流程')
    .requiredOption('--on <date>', '发现日期 YYYY-MM-DD', localDate)
    .requiredOption('--by <personId>', '登记人编号')
    .action(async (householdId: string, opts: { on: string; by: string }) => {
      const lifecycleId = await householdRiskFound(ctx, cliActor(), householdId, opts);
      print(`识别帮扶流程 ${lifecycleId} 已启动,首个环节"排查"已派给村干部。`);
    });

  household
    .command('show <householdId>')
    .description('查看一户: 基本信息(姓名、身份证号脱敏)、回头看和识别帮扶各环节')
    .option('--json', '输出 JSON(同样脱敏)')
    .action(async (householdId: string, opts: { json?: boolean }) => {
      const view = await showHousehold(ctx, householdId);
      print(opts.json ? JSON.stringify(view, null, 2) : describeHousehold(view, await ctx.tree()));
    });

  household
    .command('list')
    .description('列出已登记的监测对象(只显示编号和状态)')
    .option('--unit <unitId>', '单位编号(含下级)')
    .option('--json', '输出 JSON')
    .action(async (opts: { unit?: string; json?: boolean }) => {
      const rows = await findHouseholds(ctx, opts.unit);
      if (opts.json) return print(JSON.stringify(rows, null, 2));
      const tree = await ctx.tree();
      const table = new Table({ head: ['户编号', '村', '状态'], style: { head: [], border: [] } });
      for (const r of rows) {
        const status = HOUSEHOLD_STATUS[r.status as keyof typeof HOUSEHOLD_STATUS] ?? r.status;
        table.push([r.householdId, tree.hasUnit(r.villageId) ? tree.unit(r.villageId).name : r.villageId, status]);
      }
      print(`共 ${rows.length} 户`);
      if (rows.length) print(table.toString());
    });
}
