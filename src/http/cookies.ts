import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The one cookie this server uses, read and written by hand: @fastify/cookie loads its parser with a dynamic
 * import() that jest cannot run without experimental flags, and one session cookie needs nothing more than this.
 */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
}

/** HttpOnly and SameSite=Lax always: no script reads the session, and other sites' forms do not carry it. */
export function setCookie(reply: FastifyReply, name: string, value: string, o: CookieOptions): void {
  const attrs = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${o.maxAgeSeconds}`];
  if (o.secure) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

export function clearCookie(reply: FastifyReply, name: string, secure: boolean): void {
  setCookie(reply, name, '', { maxAgeSeconds: 0, secure });
}
