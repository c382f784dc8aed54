import type { Command } from 'commander';
import { OPERATOR } from '../../auth/policy';
import { UsageError } from '../../errors';
import { REPORT_FORMATS, type ReportFormat } from '../../report/format';
import { formatCycle, formatTarget } from '../../report/rollupFormat';
import { cycleRollupFor, targetReportFor } from '../../services/rollups';
import { print, type CliContext } from '../context';
import { oneOf } from '../options';

/** `report cycle` and `report target`, added to the `report` group that the overdue report created. */
export function rollupCommands(program: Command, ctx: CliContext): void {
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('报告');

  report
    .command('cycle <dutyId>')
    .description('某职责一个周期的报送汇总: 各村数据按乡镇/街道和全市合计(如 semiannual-full-sweep --period 2026-H1)')
    .requiredOption('--period <period>', '周期,如 2026-H1、2026-Q3、2026-spring')
    .option('--phase <phaseId>', '有阶段的职责: 汇总哪个阶段(默认最后一个,即总结)')
    .option('--unit <unitId>', '只看该单位及其下级(默认全市)')
    .option('--format <format>', 'table|json|csv', oneOf(REPORT_FORMATS), 'table' as ReportFormat)
    .action(async (dutyId: string, opts: { period: string; phase?: string; unit?: string; format: ReportFormat }) => {
      const rollup = await cycleRollupFor(ctx, OPERATOR, dutyId, { period: opts.period, phase: opts.phase, unitId: opts.unit });
      print(formatCycle(rollup, opts.format));
    });

  report
    .command('target <target>')
    .description('年度目标达成情况,按乡镇/街道(如 collective-income --year 2026: 重点帮扶村、示范村经营性收入达标比例对照 65%)')
    .requiredOption('--year <year>', '年份', (v) => {
      if (!/^\d{4}$/.test(v)) throw new UsageError(`年份必须是四位数字,收到 "${v}"`);
      return Number(v);
    })
    .option('--format <format>', 'table|json|csv', oneOf(REPORT_FORMATS), 'table' as ReportFormat)
    .action(async (target: string, opts: { year: number; format: ReportFormat }) => {
      print(formatTarget(await targetReportFor(ctx, OPERATOR, target, opts.year), opts.format));
    });
}
