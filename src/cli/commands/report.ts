import type { Command } from 'commander';
import { formatReport, REPORT_FORMATS, type ReportFormat } from '../../report/format';
import { OPERATOR } from '../../auth/policy';
import { overdueFor } from '../../services/reports';
import { print, type CliContext } from '../context';
import { localDate, oneOf } from '../options';

export function reportCommands(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('报告');
  report
    .command('overdue')
    .description('逾期任务报告,按乡镇/街道和村/部门分组')
    .option('--unit <unitId>', '只看该单位及其下级(默认全市)')
    .option('--as-of <date>', '截至日期 YYYY-MM-DD(默认现在)', localDate)
    .option('--format <format>', 'table|json|csv', oneOf(REPORT_FORMATS), 'table' as ReportFormat)
    .action(async (opts: { unit?: string; asOf?: string; format: ReportFormat }) => {
      print(formatReport(await overdueFor(ctx, OPERATOR, { unitId: opts.unit, asOf: opts.asOf }), opts.format));
    });
}
