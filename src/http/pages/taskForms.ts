import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UsageError, ValidationError } from '../../errors';
import type { Upload } from '../../services/evidence';
import { FIGURE_PREFIX } from '../api/schemas';
import { issueText, toHttpError } from '../errors';
import { readMultipart } from '../multipart';
import { parsePart } from '../route';
import { html, type SafeHtml } from './html';

/**
 * What the task page's forms share: reading a post (plain or with files), the text a person typed, and a refusal
 * turned into messages next to the fields, so the form comes back with everything still filled in.
 */

export type FormName = 'ack' | 'complete' | 'progress' | 'extension' | 'decision' | 'review' | 'reassign' | 'waive';

export interface FormState {
  /** The form the values and errors belong to; the others render empty. */
  form?: FormName;
  values: Record<string, string>;
  /** By input name (`reason`, `dueOn`, a figure's key, `attachments`). */
  errors: Record<string, string>;
  message?: string;
  /** Problems no input of the form stands for, listed under the message. */
  issues?: string[];
}

export const NO_FORM: FormState = { values: {}, errors: {} };

/** The page's own check: over-long text comes back next to its field with the text kept, not as an error page. */
export const MAX_TEXT = 2000;

/** Every value is text; a name sent twice keeps its first value. */
const FormBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export interface PostedForm {
  /** As typed, by input name; figures keep their `f.` prefix. */
  fields: Record<string, string>;
  files: Upload[];
}

/** A urlencoded form, or a multipart one (with files) where the form carries evidence. */
export async function readForm(req: FastifyRequest, withFiles = false): Promise<PostedForm> {
  if (withFiles && req.isMultipart()) return readMultipart(req);
  const body = parsePart(FormBody, req.body, 'form');
  return { fields: Object.fromEntries(Object.entries(body).map(([k, v]) => [k, (Array.isArray(v) ? v[0] : v) ?? ''])), files: [] };
}

/** The figures of a posted form, by key: typed values for showing again, non-empty ones trimmed for sending. */
export function figuresOf(fields: Record<string, string>): { values: Record<string, string>; figures: Record<string, string> } {
  const values: Record<string, string> = {};
  const figures: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!k.startsWith(FIGURE_PREFIX)) continue;
    const key = k.slice(FIGURE_PREFIX.length);
    values[key] = v;
    if (v.trim() !== '') figures[key] = v.trim();
  }
  return { values, figures };
}

/** Text over the limit, by field, with a message for next to it; the note is named as its form calls it. */
export function tooLong(values: Record<string, string>, noteLabel = '情况说明'): Record<string, string> {
  const over = Object.entries(values).filter(([, v]) => v.length > MAX_TEXT);
  return Object.fromEntries(over.map(([k, v]) => [k, `${k === 'note' ? noteLabel : ''}最多 ${MAX_TEXT} 字,现有 ${v.length} 字,请删减后再提交`]));
}

/** Refusals a person can fix or should read on the task page; anything else (not found, forbidden) is an error page. */
export function isRefusal(err: unknown): boolean {
  return err instanceof ValidationError || err instanceof UsageError || err instanceof WorkflowUpdateFailedError;
}

/** An issue's field as the form names its input: `fields.recordsImported` → `recordsImported`, `附件 2(x.jpg)` → `attachments`. */
function inputOf(field: string): string {
  if (field.startsWith('附件') || field === 'attachments') return 'attachments';
  return field.replace(/^(form|body)\./, '').replace(/^fields\./, '');
}

/**
 * A refusal as the form shows it: each problem next to its input when the form has one (`inputs`), the rest under
 * the message; the HTTP status the API would answer with.
 */
export function refusedForm(err: unknown, form: FormName, values: Record<string, string>, inputs: readonly string[]): { status: number; state: FormState } {
  const { status, body } = toHttpError(err);
  const errors: Record<string, string> = {};
  const issues: string[] = [];
  for (const issue of body.issues ?? []) {
    const input = inputOf(issue.field);
    if (inputs.includes(input)) errors[input] = errors[input] ? `${errors[input]};${issue.message}` : issue.message;
    else issues.push(issueText(issue));
  }
  const message = body.issues?.length ? '请按提示修改后再提交' : body.error;
  return { status, state: { form, values, errors, message, ...(issues.length ? { issues } : {}) } };
}

/** The values and errors of `name`, or none when another form was posted. */
export function stateOf(form: FormState, name: FormName): { values: Record<string, string>; errors: Record<string, string> } {
  return form.form === name ? form : NO_FORM;
}

export function fieldError(error: string | undefined): SafeHtml | string {
  return error ? html`<div class="field-error">${error}</div>` : '';
}

/** A labelled input; `hint` goes in small type after the label. */
export function field(label: string, hint: string, input: SafeHtml, error?: string): SafeHtml {
  return html`<label class="field ${error ? 'invalid' : ''}"><span>${label}${hint ? html` <small>(${hint})</small>` : ''}</span>${input}${fieldError(error)}</label>`;
}

export function textArea(name: string, value = '', rows = 3): SafeHtml {
  return html`<textarea name="${name}" rows="${rows}">${value}</textarea>`;
}

export function dateInput(name: string, value = '', bounds: { min?: string; max?: string } = {}): SafeHtml {
  return html`<input type="date" name="${name}" value="${value}" ${bounds.min ? html`min="${bounds.min}"` : ''} ${bounds.max ? html`max="${bounds.max}"` : ''}>`;
}
