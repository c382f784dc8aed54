import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const CSS = readFileSync(path.join(__dirname, '..', 'assets', 'app.css'));
const CSS_HASH = createHash('sha256').update(CSS).digest('hex').slice(0, 10);

/** The stylesheet's URL carries its hash, so browsers may cache it for a year and still see every change. */
export const CSS_URL = `/assets/app.${CSS_HASH}.css`;

export function assetRoutes(app: FastifyInstance): void {
  app.get('/assets/:name', { config: { public: true } }, async (req, reply) => {
    const { name } = req.params as { name: string };
    if (name !== `app.${CSS_HASH}.css` && name !== 'app.css') return reply.code(404).type('text/plain; charset=utf-8').send('找不到文件');
    reply.header('cache-control', name === 'app.css' ? 'no-cache' : 'public, max-age=31536000, immutable');
    return reply.type('text/css; charset=utf-8').send(CSS);
  });
}
