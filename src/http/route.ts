import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { type AccountRole, ForbiddenError } from '../auth/policy';
import type { Principal } from '../auth/principal';
import { zhErrorMap } from '../validation/zhErrors';
import { ValidationError, type InputIssue } from '../errors';
import type { Upload } from '../services/evidence';
import { NotSignedInError } from './errors';
import { readMultipart } from './multipart';

type AnyObject = z.ZodType<Record<string, unknown>>;
const EMPTY = z.object({});

/**
 * Request-body limits in bytes: fastify refuses a larger body with 413 before reading or parsing it (a
 * Content-Length over the limit is refused at once; a chunked body is cut off at the limit).
 */
export const BODY_LIMITS = {
  /** A route that takes no body: `{}` and some slack. */
  none: 1024,
  /** Forms and JSON actions: a login, a reason of up to 500 characters (4.5 KB URL-encoded), a date range, a flag. */
  form: 16 * 1024,
  /** The server's default for a route that names none: the page's completion form (a 2,000-character note and 30 figures, URL-encoded) is the largest. */
  ceiling: 256 * 1024,
} as const;

export interface ApiRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: 'GET' | 'POST';
  url: string;
  tag: string;
  summary: string;
  description?: string;
  /** `signed-in`: any role. A role list refuses the others with 403. */
  access: 'public' | 'signed-in' | AccountRole[];
  params?: P;
  query?: Q;
  body?: B;
  /** For the OpenAPI document only. */
  response?: z.ZodType;
  /** Content types of a 200 answer; JSON when absent. */
  produces?: string[];
  /** Runs before the handler, e.g. a rate limiter shared with another route. */
  onRequest?: onRequestAsyncHookHandler;
  /** Bytes; when absent, `BODY_LIMITS.form` for a route with a body schema and `BODY_LIMITS.none` for one without. */
  bodyLimit?: number;
  /**
   * Also taken as multipart/form-data with files (佐证材料), whose limits the multipart parser enforces instead of
   * `bodyLimit`: the text fields, shaped by `fromForm`, are checked against `body` exactly as JSON would be; `form`
   * describes those text fields for the OpenAPI document.
   */
  multipart?: { form: z.ZodType; fromForm(fields: Record<string, string>): unknown };
  handler(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    /** Files of a multipart request, in the order sent; none for JSON. */
    files: Upload[];
    principal: Principal | undefined;
    req: FastifyRequest;
    reply: FastifyReply;
  }): Promise<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApiRoute = ApiRoute<any, any, any>;

/** Type errors in a request's words: a query parameter given twice, a body that is not a set of fields. */
const requestErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input !== undefined) {
    if (issue.expected === 'record' || issue.expected === 'object') return '应为一组字段(表单或 JSON 对象)';
    if (Array.isArray(issue.input) && issue.expected !== 'array') return '只能填写一个值';
  }
  return zhErrorMap(issue);
};

/** Parses one part of a request; every problem is reported at once, each naming its field (`query.from`). */
export function parsePart<T extends z.ZodType>(schema: T, value: unknown, part: string): z.output<T> {
  const result = schema.safeParse(value ?? {}, { error: requestErrors });
  if (result.success) return result.data;
  const issues: InputIssue[] = result.error.issues.flatMap((i) => {
    const base = [part, ...i.path.map(String)].join('.');
    return i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: `${base}.${k}`, message: '未知字段' })) : [{ path: base, message: i.message }];
  });
  throw new ValidationError('请求', issues);
}

/** Registers zod-validated JSON routes and remembers them for the OpenAPI document. */
export class ApiRegistry {
  readonly routes: AnyApiRoute[] = [];
  /** OpenAPI path items written by hand, for routes that do not go through `add` (e.g. the ICS feed). */
  readonly extraPaths: Record<string, unknown> = {};

  addPaths(paths: Record<string, unknown>): void {
    Object.assign(this.extraPaths, paths);
  }

  add<P extends AnyObject = typeof EMPTY, Q extends AnyObject = typeof EMPTY, B extends z.ZodType = typeof EMPTY>(app: FastifyInstance, route: ApiRoute<P, Q, B>): void {
    this.routes.push(route);
    app.route({
      method: route.method,
      url: route.url,
      config: { public: route.access === 'public' },
      ...(route.onRequest ? { onRequest: route.onRequest } : {}),
      bodyLimit: route.bodyLimit ?? (route.body ? BODY_LIMITS.form : BODY_LIMITS.none),
      handler: async (req, reply) => {
        const principal = req.principal;
        if (route.access !== 'public') {
          if (!principal) throw new NotSignedInError();
          if (Array.isArray(route.access) && !route.access.includes(principal.role)) throw new ForbiddenError('当前账号的角色无权执行此操作');
        }
        // An absent schema means the default `EMPTY`, which is what P, Q and B default to.
        const params = parsePart((route.params ?? EMPTY) as P, req.params, 'params');
        const query = parsePart((route.query ?? EMPTY) as Q, req.query, 'query');
        const form = route.multipart && req.isMultipart() ? await readMultipart(req) : undefined;
        const body = parsePart((route.body ?? EMPTY) as B, form && route.multipart ? route.multipart.fromForm(form.fields) : req.body, 'body');
        const result = await route.handler({ params, query, body, files: form?.files ?? [], principal, req, reply });
        return reply.sent ? reply : result;
      },
    });
  }
}
