import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { formatReport, overdueCsv } from '../../report/format';
import type { OverdueExport } from '../../report/overdueExport';
import { writeOverdueXlsx } from '../../report/xlsx';
import { OPERATOR } from '../../auth/policy';
import { overdueExportFor, overdueFor } from '../../services/reports';
import { print, type CliContext } from '../context';
import { localDate, oneOf } from '../options';

const FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];

interface Options {
  unit?: string;
  asOf?: string;
  format: Format;
  out?: string;
}

export function reportCommands(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('报告');
  report
    .command('overdue')
    .description('逾期任务报告,按乡镇/街道和村/部门分组;csv 和 xlsx 边查边写,进度显示在标准错误输出')
    .option('--unit <unitId>', '只看该单位及其下级(默认全市)')
    .option('--as-of <date>', '截至日期 YYYY-MM-DD(默认现在)', localDate)
    .option('--format <format>', `${FORMATS.join('|')}(xlsx 写入 --out 文件)`, oneOf(FORMATS), 'table' as Format)
    .option('--out <file>', 'csv/xlsx 写入该文件(csv 默认写到标准输出;xlsx 默认 逾期任务报告-<范围>-<日期>.xlsx)')
    .action(async (opts: Options) => {
      if (opts.format === 'table' || opts.format === 'json') return print(formatReport(await overdueFor(ctx, OPERATOR, { unitId: opts.unit, asOf: opts.asOf }), opts.format));
      const exp = withProgress(await overdueExportFor(ctx, OPERATOR, { unitId: opts.unit, asOf: opts.asOf }), progressLine(process.stderr));
      if (opts.format === 'csv') return writeCsv(exp, opts.out);
      const file = path.resolve(opts.out ?? `逾期任务报告-${exp.summary.scope.unitName}-${exp.summary.asOf.slice(0, 10)}.xlsx`);
      const out = createWriteStream(file);
      await Promise.all([writeOverdueXlsx(exp, out), finished(out)]);
      process.stderr.write(`已生成 ${exp.summary.scope.unitName} 逾期任务报告(${exp.summary.total} 项): ${file}\n`);
    });
}

async function writeCsv(exp: OverdueExport, out?: string): Promise<void> {
  await pipeline(Readable.from(overdueCsv(exp)), out ? createWriteStream(path.resolve(out)) : process.stdout, { end: Boolean(out) });
}

type Progress = (done: number, total: number, last: boolean) => void;

/** The export with a count of the rows written, reported after every unit and once at the end. */
function withProgress(exp: OverdueExport, report: Progress): OverdueExport {
  async function* units() {
    let done = 0;
    report(0, exp.summary.total, false);
    for await (const u of exp.units()) {
      yield u;
      done += u.rows.length;
      report(done, exp.summary.total, false);
    }
    report(done, exp.summary.total, true);
  }
  return { summary: exp.summary, units };
}

/** One line, rewritten in place on a terminal; elsewhere (a log, a pipe) a line a second and the last one. */
function progressLine(err: Writable & { isTTY?: boolean }): Progress {
  let shown = 0;
  return (done, total, last) => {
    const line = `已导出 ${done} / ${total} 行`;
    if (err.isTTY) return void err.write(`\r${line}${last ? '\n' : ''}`);
    if (!last && Date.now() - shown < 1000) return;
    err.write(`${line}\n`);
    shown = Date.now();
  };
}
