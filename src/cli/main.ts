import { Command, CommanderError } from 'commander';
import { accessCommands } from './commands/access';
import { assessmentCommands } from './commands/assessment';
import { calendarCommands } from './commands/calendar';
import { emergencyCommands } from './commands/emergency';
import { catalogCommands } from './commands/catalog';
import { feedCommands } from './commands/feed';
import { householdCommands } from './commands/household';
import { migrateCommands } from './commands/migrate';
import { reportCommands } from './commands/report';
import { rollupCommands } from './commands/rollups';
import { scheduleCommands } from './commands/schedules';
import { taskCommands } from './commands/tasks';
import { CliContext } from './context';
import { describeError } from '../services/describeError';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('duty')
    .description('沅江市乡村振兴局 职责提醒与督办系统')
    .showHelpAfterError('(用 --help 查看用法)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, '错误: ')) });
  catalogCommands(program, ctx);
  scheduleCommands(program, ctx);
  taskCommands(program, ctx);
  reportCommands(program, ctx);
  feedCommands(program, ctx);
  accessCommands(program, ctx);
  householdCommands(program, ctx);
  rollupCommands(program, ctx);
  assessmentCommands(program, ctx);
  calendarCommands(program, ctx);
  emergencyCommands(program, ctx);
  migrateCommands(program, ctx);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  let ctx: CliContext | undefined;
  try {
    // Inside the try: a bad setting in the environment is told like any other bad input.
    ctx = new CliContext();
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const { message, exitCode } = describeError(err);
    process.stderr.write(`错误: ${message}\n`);
    return exitCode;
  } finally {
    await ctx?.close();
  }
}

