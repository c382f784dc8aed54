import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, type AccountRole } from '../../auth/policy';
import type { Principal } from '../../auth/principal';
import { NotSignedInError } from '../errors';

export interface PageContext {
  req: FastifyRequest;
  reply: FastifyReply;
  principal: Principal;
}

/**
 * An HTML route for signed-in people: the auth hook already sent anonymous visitors to the login page; the role
 * check here answers 403 with a page. A handler returns the page, or nothing after redirecting.
 */
export function pageRoute(
  app: FastifyInstance,
  opts: { method: 'GET' | 'POST'; url: string; roles?: AccountRole[] },
  handler: (ctx: PageContext) => Promise<string | undefined>,
): void {
  app.route({
    method: opts.method,
    url: opts.url,
    config: { page: true },
    handler: async (req, reply) => {
      const principal = req.principal;
      if (!principal) throw new NotSignedInError();
      if (opts.roles && !opts.roles.includes(principal.role)) throw new ForbiddenError('当前账号的角色无权查看此页');
      const page = await handler({ req, reply, principal });
      if (page !== undefined) return reply.type('text/html; charset=utf-8').send(page);
      return reply;
    },
  });
}

/** 303 after a successful form post, so a reload does not post again. */
export function seeOther(reply: FastifyReply, url: string): FastifyReply {
  return reply.code(303).header('location', url).send();
}
