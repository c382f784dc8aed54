import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type InputIssue, UsageError, ValidationError } from '../errors';
import { type EvidenceLimits, tooLarge, type Upload, uploadLabel } from '../services/evidence';
import { COMPLETION_LIMITS } from '../shared/completion';

/**
 * Forms that carry evidence files (佐证材料): a completion or progress report with its figures, note and files.
 * Busboy enforces the limits while the request streams in, so an oversized file or one file too many is cut off
 * there, not after the whole body has been read.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** What `readMultipart` names in its messages: the limits the parser was registered with. */
    evidenceLimits: EvidenceLimits;
  }
}

/** A completion's figures and note, with room for a few other fields (an action, a date). */
const MAX_FIELDS = COMPLETION_LIMITS.fields + 10;
/** Generous for a 2,000-character note in UTF-8, so a long note is refused by its own rule next to the field, not here. */
const MAX_FIELD_BYTES = 64 * 1024;

export async function registerMultipart(app: FastifyInstance, limits: EvidenceLimits): Promise<void> {
  app.decorate('evidenceLimits', limits);
  await app.register(multipart, {
    limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: limits.maxFiles + MAX_FIELDS },
  });
}

export interface MultipartForm {
  fields: Record<string, string>;
  /** In the order sent; a file input left empty sends a nameless empty part, which is not a file. */
  files: Upload[];
}

/** Reads a multipart form whole. Refusals are Chinese and name the file or field; an unexpected failure is rethrown. */
export async function readMultipart(req: FastifyRequest): Promise<MultipartForm> {
  if (!req.isMultipart()) throw new UsageError('请以 multipart/form-data 表单提交(含附件时必须如此)');
  const limits = req.server.evidenceLimits;
  const fields = new Map<string, string>();
  const files: Upload[] = [];
  const issues: InputIssue[] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        // Typed as a string, but busboy leaves an empty `filename=""` undefined.
        const name = (part.filename as string | undefined) ?? '';
        if (name !== '' || data.length > 0) files.push({ name, data });
      } else if (part.valueTruncated) {
        issues.push({ path: part.fieldname, message: `内容过长(最多 ${MAX_FIELD_BYTES / 1024} KB)` });
      } else if (fields.has(part.fieldname)) {
        issues.push({ path: part.fieldname, message: '只能填写一个值' });
      } else {
        fields.set(part.fieldname, String(part.value));
      }
    }
  } catch (err) {
    throw refusal(err, files.length, limits) ?? err;
  }
  if (issues.length > 0) throw new ValidationError('表单', issues);
  return { fields: Object.fromEntries(fields), files };
}

/** The parser's own refusals (English, 413), in the words and shape of the service's checks. */
function refusal(err: unknown, filesRead: number, limits: EvidenceLimits): ValidationError | undefined {
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    const name = (err as { part?: { filename?: string } }).part?.filename ?? '';
    return new ValidationError('佐证材料', [{ path: uploadLabel(filesRead, name), message: tooLarge(limits.maxFileBytes) }]);
  }
  if (code === 'FST_FILES_LIMIT') return new ValidationError('佐证材料', [{ path: '附件', message: `每次最多上传 ${limits.maxFiles} 个文件` }]);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return new ValidationError('表单', [{ path: 'body', message: `表单项过多(最多 ${MAX_FIELDS} 项文字)` }]);
  if (code === 'FST_PROTO_VIOLATION') return new ValidationError('表单', [{ path: 'body', message: '表单项名称不合法' }]);
  return undefined;
}
