import { WorkflowNotFoundError, WorkflowUpdateFailedError, ScheduleNotFoundError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { ForbiddenError } from '../auth/policy';
import { DutyError, UsageError, ValidationError } from '../errors';

/**
 * Turns any failure into one Chinese message and an exit code (2 for bad input, 1 for everything else):
 * the words the CLI prints and the HTTP API answers with.
 */
export function describeError(err: unknown): { message: string; exitCode: number } {
  // Forbidden on the command line means a `--by` who may not take the step: a wrong argument, like bad input.
  if (err instanceof ValidationError || err instanceof UsageError || err instanceof ForbiddenError) return { message: err.message, exitCode: 2 };
  if (err instanceof DutyError) return { message: err.message, exitCode: 1 };
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    const message = cause instanceof ApplicationFailure || cause instanceof TemporalFailure ? cause.message : err.message;
    return { message: `操作被拒绝: ${message}`, exitCode: 2 };
  }
  if (err instanceof WorkflowNotFoundError) return { message: `找不到任务: ${err.workflowId}`, exitCode: 1 };
  if (err instanceof ScheduleNotFoundError) return { message: `找不到职责计划 ${err.scheduleId},请先运行 duty apply`, exitCode: 1 };
  return { message: err instanceof Error ? err.message : String(err), exitCode: 1 };
}
