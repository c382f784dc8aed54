import { ScheduleNotFoundError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ForbiddenError } from '../auth/policy';
import { describeError } from '../services/describeError';
import { DutyError, NotFoundError, TemporalUnreachableError, UsageError, ValidationError } from '../errors';

/** 401: not signed in, or the sign-in itself failed. */
export class NotSignedInError extends DutyError {
  override name = 'NotSignedInError';
  constructor(message = '请先登录') {
    super(message);
  }
}

export interface ErrorBody {
  error: string;
  /** One entry per refused field, e.g. `{ field: 'body.fields.recordsImported', message: '…' }`. */
  issues?: { field: string; message: string }[];
}

const UPDATE_STATUS: Record<string, number> = { NotAllowed: 403, TaskClosed: 409, InvalidCompletion: 422, InvalidWaiver: 422 };

/** The one mapping from domain failures to HTTP: same Chinese words as the CLI, status by kind. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody; unexpected?: boolean } {
  if (err instanceof NotSignedInError) return { status: 401, body: { error: err.message } };
  if (err instanceof ForbiddenError) return { status: 403, body: { error: err.message } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: err.message } };
  if (err instanceof ValidationError) {
    return { status: 400, body: { error: err.message, issues: err.issues.map((i) => ({ field: i.path, message: i.message })) } };
  }
  if (err instanceof UsageError) return { status: 400, body: { error: err.message } };
  if (err instanceof WorkflowNotFoundError) return { status: 404, body: { error: `找不到任务: ${err.workflowId}` } };
  if (err instanceof ScheduleNotFoundError) return { status: 404, body: { error: describeError(err).message } };
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    const problems = cause?.type === 'InvalidCompletion' ? (cause.details?.[0] as { field: string; message: string }[] | undefined) : undefined;
    return {
      status: UPDATE_STATUS[cause?.type ?? ''] ?? 422,
      body: { error: describeError(err).message, ...(problems ? { issues: problems.map((p) => ({ field: `fields.${p.field}`, message: p.message })) } : {}) },
    };
  }
  if (err instanceof TemporalUnreachableError) return { status: 503, body: { error: err.message } };
  if (err instanceof DutyError) return { status: 400, body: { error: err.message } };
  const status = (err as { statusCode?: number } | undefined)?.statusCode;
  if (status === 429) return { status, body: { error: '请求过于频繁,请稍后再试' } };
  if (status === 415) return { status, body: { error: '不支持的请求体类型,请使用 application/json' } };
  // Fastify's body parser refused the body before any schema saw it (not JSON, empty): say it was the body.
  if (status === 400 && String((err as { code?: unknown }).code).startsWith('FST_ERR_CTP_')) {
    return { status, body: { error: '请求格式不正确: 请求体(body)不是有效的 JSON', issues: [{ field: 'body', message: '不是有效的 JSON' }] } };
  }
  if (status && status >= 400 && status < 500) return { status, body: { error: '请求格式不正确' } };
  return { status: 500, body: { error: '服务器内部错误' }, unexpected: true };
}
