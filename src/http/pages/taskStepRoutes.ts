import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../auth/principal';
import { ValidationError } from '../../errors';
import { acknowledgeTask, decideExtension, reassignTask, reportProgress, requestExtension, reviewTask } from '../../services/taskSteps';
import { showTask, type StepCall } from '../../services/tasks';
import { FIGURE_PREFIX, TaskIdParams } from '../api/schemas';
import { stepCall } from '../api/taskSteps';
import { withFiles } from '../api/tasks';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { pageRoute, seeOther } from './route';
import { figuresOf, type FormName, isRefusal, type PostedForm, readForm, refusedForm, tooLong } from './taskForms';
import { renderTask } from './taskView';

/**
 * The task page's form posts. Each runs one step as the signed-in person and answers 303 to where they go next
 * (the task page with a notice); a refusal they can fix comes back as the page, with the typed text kept and
 * each problem next to its input. Cross-site posts never get here: the auth hook refuses them for every form.
 */

export interface StepInput {
  call: StepCall;
  principal: Principal;
  posted: PostedForm;
  /** The text as typed, figures by key: what the form shows again after a refusal. */
  values: Record<string, string>;
  /** Figures that were filled in, trimmed. */
  figures: Record<string, string>;
}

export interface StepPage {
  url: string;
  form: FormName;
  /** Takes multipart/form-data with evidence files besides a plain form. */
  files?: boolean;
  /** What the note is called on this form, for the length check. */
  noteLabel?: string;
  /** Inputs that show their own error though a post may lack them (the pressed button). */
  inputs?: string[];
  /** Runs the step; answers where to go after it. */
  run(input: StepInput): Promise<string>;
}

const taskUrl = (taskId: string, ok: string) => `/tasks/${encodeURIComponent(taskId)}?ok=${ok}`;

export function stepPage(app: FastifyInstance, deps: HttpDeps, page: StepPage): void {
  const ctx = deps.services;
  pageRoute(app, { method: 'POST', url: `/tasks/:taskId/${page.url}` }, async ({ req, reply, principal }) => {
    const { taskId } = parsePart(TaskIdParams, req.params, 'params');
    const again = async (err: unknown, values: Record<string, string>) => {
      const refused = refusedForm(err, page.form, values, [...Object.keys(values), 'attachments', ...(page.inputs ?? [])]);
      reply.code(refused.status);
      return renderTask(deps, principal, await showTask(ctx, principal, taskId), refused.state);
    };
    let posted: PostedForm;
    try {
      posted = await readForm(req, page.files);
    } catch (err) {
      // A file too large or too many is the person's to fix; a body that is no form at all is an error page.
      if (page.files && req.isMultipart() && isRefusal(err)) return again(err, {});
      throw err;
    }
    const { values: figureValues, figures } = figuresOf(posted.fields);
    const text = Object.fromEntries(Object.entries(posted.fields).filter(([k]) => !k.startsWith(FIGURE_PREFIX)));
    const values = { ...text, ...figureValues };
    const long = tooLong({ ...figureValues, ...(text.note !== undefined ? { note: text.note } : {}) }, page.noteLabel);
    if (Object.keys(long).length) {
      reply.code(400);
      return renderTask(deps, principal, await showTask(ctx, principal, taskId), { form: page.form, values, errors: long, message: '请按提示修改后再提交' });
    }
    let location: string;
    try {
      location = await page.run({ call: stepCall(ctx, principal, taskId), principal, posted, values, figures });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return again(err, values);
    }
    seeOther(reply, location);
    return undefined;
  });
}

/** A choice the form asks for and the post lacks, named like the service's own refusals. */
function unanswered(input: string, message: string): ValidationError {
  return new ValidationError('表单', [{ path: input, message }]);
}

/** Which of two buttons was pressed; anything else is neither. */
const pressed = (values: Record<string, string>, yes: string, no: string): boolean | undefined => (values.decision === yes ? true : values.decision === no ? false : undefined);

export function taskStepPages(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  stepPage(app, deps, {
    url: 'ack',
    form: 'ack',
    run: async ({ call, principal }) => {
      await acknowledgeTask(call, principal.personId);
      return taskUrl(call.taskId, 'acknowledged');
    },
  });
  stepPage(app, deps, {
    url: 'progress',
    form: 'progress',
    files: true,
    noteLabel: '进展情况',
    run: async ({ call, principal, posted, values, figures }) => {
      await withFiles(ctx, principal, call.taskId, posted.files, (attachments) =>
        reportProgress(call, { by: principal.personId, note: (values.note ?? '').trim(), fields: figures, ...(attachments.length ? { attachments } : {}) }),
      );
      return taskUrl(call.taskId, 'progress');
    },
  });
  stepPage(app, deps, {
    url: 'extension',
    form: 'extension',
    run: async ({ call, principal, values }) => {
      await requestExtension(call, { by: principal.personId, dueOn: (values.dueOn ?? '').trim(), reason: values.reason ?? '' });
      return taskUrl(call.taskId, 'extensionRequested');
    },
  });
  stepPage(app, deps, {
    url: 'extension/decision',
    form: 'decision',
    inputs: ['decision'],
    run: async ({ call, principal, values }) => {
      const approve = pressed(values, 'approve', 'reject');
      if (approve === undefined) throw unanswered('decision', '请点“批准延期”或“驳回”');
      const dueOn = values.dueOn?.trim();
      await decideExtension(call, { by: principal.personId, approve, ...(approve && dueOn ? { dueOn } : {}), reason: values.reason ?? '' });
      return taskUrl(call.taskId, approve ? 'extensionApproved' : 'extensionRejected');
    },
  });
  stepPage(app, deps, {
    url: 'review',
    form: 'review',
    inputs: ['decision'],
    run: async ({ call, principal, values }) => {
      const accept = pressed(values, 'accept', 'return');
      if (accept === undefined) throw unanswered('decision', '请点“审核通过”或“退回重办”');
      const dueOn = values.dueOn?.trim();
      await reviewTask(call, { by: principal.personId, accept, reason: values.reason ?? '', ...(!accept && dueOn ? { dueOn } : {}) });
      return taskUrl(call.taskId, accept ? 'accepted' : 'returned');
    },
  });
  stepPage(app, deps, {
    url: 'reassign',
    form: 'reassign',
    run: async ({ call, principal, values }) => {
      const to = (values.to ?? '').trim();
      if (!to) throw unanswered('to', '请选择转给谁');
      await reassignTask(call, { by: principal.personId, to, reason: values.reason ?? '' });
      return taskUrl(call.taskId, 'reassigned');
    },
  });
}
