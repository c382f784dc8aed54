import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { type EvidenceFile, readEvidence } from '../../services/evidence';
import { DETECTABLE } from '../../validation/evidenceKind';
import { pageRoute } from '../pages/route';
import { parsePart } from '../route';
import type { HttpDeps } from '../types';
import { Id } from './schemas';

/**
 * Downloads of evidence files (佐证材料), for whoever may see the task. The file is served with the type its content
 * proved and never interpreted as a page: images open in the browser, everything else downloads, and the sandbox
 * keeps anything that still gets rendered away from the session.
 */

const EvidenceParams = z.object({ taskId: Id('任务编号'), sha256: z.string().regex(/^[0-9a-f]{64}$/, '文件编号必须是 64 位十六进制的 SHA-256') });

const MIME_TYPES = [...new Set(DETECTABLE.map((d) => d.mime))];

/** RFC 5987: percent-encoded UTF-8, with the characters encodeURIComponent leaves but the header grammar does not. */
function encodeFilename(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sendEvidence(reply: FastifyReply, file: EvidenceFile): FastifyReply {
  const disposition = file.ref.kind === 'image' ? 'inline' : 'attachment';
  return reply
    .type(file.ref.mime)
    .header('content-length', file.size)
    .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeFilename(file.ref.name)}`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
    .send(file.stream);
}

export function evidenceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const ctx = deps.services;
  deps.api.add(app, {
    method: 'GET',
    url: '/api/tasks/:taskId/evidence/:sha256',
    tag: '任务',
    summary: '下载任务的佐证材料:图片在浏览器中显示,其余作为附件下载(只限任务引用的文件;管辖范围外的任务与不存在的任务一样返回 404)',
    access: 'signed-in',
    params: EvidenceParams,
    produces: MIME_TYPES,
    handler: async ({ params, principal, reply }) => sendEvidence(reply, await readEvidence(ctx, principal!, params.taskId, params.sha256)),
  });
  // The link a task page shows: an anonymous visitor goes to the login page, a refusal is a page.
  pageRoute(app, { method: 'GET', url: '/tasks/:taskId/evidence/:sha256' }, async ({ req, reply, principal }) => {
    const params = parsePart(EvidenceParams, req.params, 'params');
    sendEvidence(reply, await readEvidence(ctx, principal, params.taskId, params.sha256));
    return undefined;
  });
}
