import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { publicBaseUrl } from '../config';
import { buildFeed } from '../feeds/ics';
import type { FeedTokens } from '../feeds/tokens';
import type { OrgTree } from '../roster/orgTree';
import { listTasks, type TaskSummary } from '../tasks/query';

export interface IcsDeps {
  tokens: FeedTokens;
  roster: () => OrgTree;
  /** A person's open and overdue tasks; `openTasksFrom(client)` reads them from Temporal visibility. */
  openTasks: (personId: string) => Promise<TaskSummary[]>;
  now?: () => Date;
}

export function openTasksFrom(client: Client): IcsDeps['openTasks'] {
  return (personId) => listTasks(client, { assignee: personId, statuses: ['open', 'overdue'] });
}

const params = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** For the server's OpenAPI document. */
export const icsOpenApiPaths = {
  '/feeds/{token}.ics': {
    get: {
      summary: '个人任务截止日历订阅 (iCalendar)',
      description: '令牌即凭证,无需登录;用 duty feed create <人员编号> 生成,duty feed revoke 作废。',
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } }],
      responses: { '200': { description: 'text/calendar', content: { 'text/calendar': {} } }, '404': { description: '令牌无效或已作废' } },
    },
  },
} as const;

/**
 * `GET /feeds/:token.ics`: the token is the credential (calendar apps cannot sign in), so the route sits outside
 * session auth, answers every unknown or revoked token with the same 404, and keeps the URL out of info logs.
 */
export function icsRoutes(app: FastifyInstance, deps: IcsDeps): void {
  const notFound = { error: '未找到' };
  // The base the feed URLs were handed out with (`duty feed create`), so event links reach the same server.
  const publicUrl = publicBaseUrl();
  app.get('/feeds/:token.ics', { logLevel: 'warn' }, async (req, reply) => {
    const parsed = params.safeParse(req.params);
    const personId = parsed.success ? await deps.tokens.personFor(parsed.data.token) : undefined;
    const tree = deps.roster();
    if (!personId || !tree.hasPerson(personId)) return reply.code(404).send(notFound);
    let tasks: TaskSummary[];
    try {
      tasks = await deps.openTasks(personId);
    } catch (err) {
      req.log.warn({ err, personId }, 'feed tasks unavailable');
      return reply.code(503).header('retry-after', '60').send({ error: '暂时无法读取任务,请稍后再试' });
    }
    const unitName = (id: string) => (tree.hasUnit(id) ? tree.unit(id).name : id);
    const body = buildFeed({ person: tree.person(personId), tasks, unitName, now: (deps.now ?? (() => new Date()))(), publicUrl });
    return reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('content-disposition', 'inline; filename="duty.ics"')
      .header('cache-control', 'private, max-age=300')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex')
      .send(body);
  });
}
