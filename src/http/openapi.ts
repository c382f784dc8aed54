import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorResponse } from './api/schemas';
import type { AnyApiRoute } from './route';
import type { HttpDeps } from './types';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/** Input shapes: what a caller sends, before defaults and trimming. */
function schemaOf(s: z.ZodType): JsonSchema {
  const schema = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  // Each schema sits inside one OpenAPI document, which states the dialect once.
  delete schema.$schema;
  return schema;
}

function parameters(s: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!s) return [];
  const j = schemaOf(s);
  return Object.entries(j.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (j.required ?? []).includes(name),
    schema,
  }));
}

/** A form's text fields, plus its files (佐证材料) under `files`, each part one file. */
function formSchema(form: z.ZodType): JsonSchema {
  const j = schemaOf(form);
  return { ...j, properties: { ...j.properties, files: { type: 'array', items: { type: 'string', format: 'binary' }, description: '佐证材料(图片、PDF、Excel 或 Word),可多个' } } };
}

const ERRORS: Record<string, string> = {
  '400': '请求参数校验失败,issues 逐项指明字段',
  '401': '未登录或令牌无效',
  '403': '角色无权执行',
  '404': '不存在,或在管辖范围之外(两者不作区分)',
  '422': '业务校验未通过(如完成任务所需数据不合格)',
  '429': '请求过于频繁',
};

function operation(r: AnyApiRoute): Record<string, unknown> {
  const errorBody = { content: { 'application/json': { schema: schemaOf(ErrorResponse) } } };
  const ok: Record<string, unknown> = { description: '成功' };
  const types = r.produces ?? ['application/json'];
  ok.content = Object.fromEntries(types.map((t) => [t, t === 'application/json' && r.response ? { schema: schemaOf(r.response) } : {}]));
  return {
    tags: [r.tag],
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    ...(r.access === 'public' ? { security: [] } : {}),
    parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body) }, ...(r.multipart ? { 'multipart/form-data': { schema: formSchema(r.multipart.form) } } : {}) } } } : {}),
    responses: { '200': ok, ...Object.fromEntries(Object.entries(ERRORS).map(([code, description]) => [code, { description, ...errorBody }])) },
  };
}

/** OpenAPI 3.1 (JSON Schema 2020-12, which is what zod emits), built from the very schemas the handlers parse with. */
export function openApiDocument(routes: AnyApiRoute[], extraPaths: Record<string, unknown> = {}): Record<string, unknown> {
  const paths: Record<string, unknown> = { ...extraPaths };
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...(paths[path] as Record<string, unknown> | undefined), [r.method.toLowerCase()]: operation(r) };
  }
  return {
    openapi: '3.1.0',
    info: { title: '乡村振兴职责提醒与督办系统 API', version: '1.0.0', description: '网页用会话 Cookie,脚本用 Authorization: Bearer 令牌(duty user token create)。' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'duty_sid' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

export function openApiRoutes(app: FastifyInstance, deps: HttpDeps): void {
  // Built on first request, after every plugin (including other features') has registered its routes.
  let doc: Record<string, unknown> | undefined;
  app.get('/openapi.json', { config: { public: true } }, async () => (doc ??= openApiDocument(deps.api.routes, deps.api.extraPaths)));
}
