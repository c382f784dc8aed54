import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ScheduleNotFoundError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectionError } from 'fastify';
import { ForbiddenError } from '../auth/policy';
import { describeError } from '../services/describeError';
import { DutyError, NotFoundError, TemporalUnreachableError, UsageError, ValidationError } from '../errors';
import { errorPage } from './pages/layout';

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

/** Fastify's and Node's own refusals, which carry English text, in the words a cadre reads. */
const STATUS_WORDS: Record<number, string> = {
  404: '找不到该页面或接口,请检查网址',
  405: '不支持该请求方式',
  408: '请求超时,请重试',
  413: '请求体过大,超出本操作允许的大小',
  414: '网址过长,请减少筛选条件后再试',
  415: '不支持的请求体类型,请使用 application/json',
  429: '请求过于频繁,请稍后再试',
  431: '网址或请求头过长,请减少筛选条件后再试',
};

/** What each request field is called on a page, by the last part of its path (`form.note` → 情况说明). */
const FIELD_LABELS: Record<string, string> = {
  form: '提交的内容',
  body: '提交的内容',
  query: '网址参数',
  note: '情况说明',
  reason: '原因',
  from: '开始日期',
  to: '结束日期',
  unit: '单位',
  township: '乡镇/街道',
  action: '操作',
  duty: '职责',
  dutyId: '职责编号',
  period: '周期',
  status: '状态',
  format: '格式',
  taskId: '任务编号',
  personId: '人员编号',
  password: '密码',
  assignee: '责任人',
};

/** An issue as a page shows it: the field by its Chinese name, unless the message already names it. */
export function issueText(issue: { field: string; message: string }): string {
  // A path such as `fields.householdsVisited` is named by its last part; a label such as `附件 3(a.jpg)` is whole.
  const last = /^[\w.]+$/.test(issue.field) ? (issue.field.split('.').at(-1) ?? issue.field) : issue.field;
  const label = FIELD_LABELS[last] ?? (issue.field.startsWith('fields.') ? '' : `参数 ${last}`);
  return !label || issue.message.includes(label) ? issue.message : `${label}: ${issue.message}`;
}

const UPDATE_STATUS: Record<string, number> = {
  NotAllowed: 403,
  TaskClosed: 409,
  TaskInReview: 409,
  InvalidCompletion: 422,
  InvalidWaiver: 422,
  InvalidReason: 422,
  InvalidExtension: 422,
  InvalidDeadline: 422,
  InvalidReview: 422,
  InvalidReassign: 422,
};

/** The one mapping from domain failures to HTTP: same Chinese words as the CLI, status by kind. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody; unexpected?: boolean } {
  if (err instanceof NotSignedInError) return { status: 401, body: { error: err.message } };
  if (err instanceof ForbiddenError) return { status: 403, body: { error: err.message } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: err.message } };
  if (err instanceof ValidationError) {
    // The headline only: the issues follow one by one, so the page does not show each of them twice.
    return { status: 400, body: { error: `${err.subject}有 ${err.issues.length} 处问题,请按提示修改`, issues: err.issues.map((i) => ({ field: i.path, message: i.message })) } };
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
  const words = status ? STATUS_WORDS[status] : undefined;
  if (status && words) return { status, body: { error: words } };
  // Fastify's body parser refused the body before any schema saw it (not JSON, empty): say it was the body.
  if (status === 400 && String((err as { code?: unknown }).code).startsWith('FST_ERR_CTP_')) {
    return { status, body: { error: '请求格式不正确,请检查后再试', issues: [{ field: 'body', message: '请求体(body)不是有效的 JSON' }] } };
  }
  // A path the router cannot read (bad percent-encoding): say it was the address.
  if (status === 400 && (err as { code?: unknown }).code === 'FST_ERR_BAD_URL') return { status, body: { error: '网址不正确,请检查后再试' } };
  if (status && status >= 400 && status < 500) return { status, body: { error: '请求格式不正确' } };
  return { status: 500, body: { error: '服务器内部错误' }, unexpected: true };
}

/**
 * Node refuses an address or headers too long to parse before Fastify sees the request, in English; this answers
 * in Chinese instead: JSON when the request line names /api, a page otherwise. The connection is closed after it.
 */
export function answerClientError(err: ConnectionError, socket: Socket): void {
  if ((err as { code?: string }).code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = STATUS_WORDS[status] ?? '请求格式不正确';
  // Typed as its JSON form, but Node hands over the bytes it could not parse.
  const raw: unknown = err.rawPacket;
  const api = Buffer.isBuffer(raw) && /^[A-Z]+ \/api\//.test(raw.subarray(0, 16).toString('latin1'));
  const [type, body] = api ? ['application/json', JSON.stringify({ error: message })] : ['text/html', errorPage(message)];
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
