import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { OPERATOR } from '../../auth/policy';
import { ASSESSMENT_SOURCES, type AssessmentSource } from '../../report/assessment';
import { ASSESSMENT_FORMATS, formatAssessment, type AssessmentFormat } from '../../report/assessmentFormat';
import { assessmentXlsx } from '../../report/assessmentXlsx';
import { assessmentFor } from '../../services/assessment';
import { print, type CliContext } from '../context';
import { oneOf } from '../options';

const FORMATS = [...ASSESSMENT_FORMATS, 'xlsx'] as const;
type Format = AssessmentFormat | 'xlsx';

function year(value: string): number {
  if (!/^\d{4}$/.test(value)) throw new InvalidArgumentError(`年度必须是四位数字,收到 "${value}"`);
  return Number(value);
}

interface Options {
  year: number;
  unit?: string;
  format: Format;
  source: AssessmentSource;
  detail?: boolean;
  out?: string;
}

/** `report assessment`: the yearly 考核, added to the `report` group. */
export function assessmentCommands(program: Command, ctx: CliContext): void {
  const report = program.commands.find((c) => c.name() === 'report') ?? program.command('report').description('报告');
  report
    .command('assessment')
    .description('年度考核: 各乡镇/街道、村/社区、行业部门按目录中的计分规则(assessment.yaml)得分排名,附按时完成率和每项扣分的依据')
    .requiredOption('--year <year>', '年度,如 2026', year)
    .option('--unit <unitId>', '只看该单位及其下级(默认全市)')
    .option('--format <format>', `${FORMATS.join('|')}(xlsx 为可打印的通报,写入 --out 文件)`, oneOf(FORMATS), 'table' as Format)
    .option('--source <source>', 'listing: 任务列表(快);history: 逐项读取任务历史和操作记录重新核算(慢,用于核对)', oneOf(ASSESSMENT_SOURCES), 'listing' as AssessmentSource)
    .option('--detail', 'table/csv: 列出每一项扣分(职责、周期、扣分事项、依据的事件和任务编号)')
    .option('--out <file>', 'xlsx 的文件名(默认 考核通报-<年度>.xlsx)')
    .action(async (opts: Options) => {
      const result = await assessmentFor(ctx, OPERATOR, { year: opts.year, unitId: opts.unit, source: opts.source });
      if (opts.format !== 'xlsx') return print(formatAssessment(result, opts.format, opts.detail));
      const file = path.resolve(opts.out ?? `考核通报-${opts.year}.xlsx`);
      writeFileSync(file, await assessmentXlsx(result));
      print(`已生成 ${result.scope.unitName} ${result.year} 年度考核通报: ${file}`);
    });
}
