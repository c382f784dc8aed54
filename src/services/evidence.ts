import type { Readable } from 'node:stream';
import exifr from 'exifr';
import { DateTime } from 'luxon';
import { requireCanComplete, type Viewer } from '../auth/policy';
import { type AttachmentRef, type TaskState, taskStateQuery } from '../contracts/dutyTask';
import { type InputIssue, NotFoundError, ValidationError } from '../errors';
import { clip } from '../shared/completion';
import { ATTACHMENT_KINDS, KIND_NAMES, kindList } from '../shared/evidence';
import type { AttachmentKind } from '../shared/types';
import { ZONE } from '../shared/zone';
import { storeBackend } from '../store/backend';
import { type EvidenceStore, sha256Of } from '../store/evidence';
import { evidenceStoreOf } from '../store/records';
import { attachmentName, type DetectedKind, detectKind, plainName, type Refusal } from '../validation/evidenceKind';
import type { ServiceContext } from './context';
import { visibleTask } from './taskAccess';
import { completionSpecFor, showTask } from './tasks';

/**
 * Evidence (佐证材料) on a task's completion or progress report. Every check runs before a byte is stored; the files
 * are staged, the task records their references, and only then do the files enter the store, so a refused step
 * leaves nothing behind. Downloads follow the task's own visibility.
 */

/** A file as the face received it: the name the user gave it and its bytes. */
export interface Upload {
  name: string;
  data: Uint8Array;
}

export interface EvidenceLimits {
  maxFiles: number;
  maxFileBytes: number;
}

export async function evidenceStore(ctx: ServiceContext): Promise<EvidenceStore> {
  return evidenceStoreOf(await storeBackend(ctx.settings));
}

/**
 * Checks the uploads against the task and its duty, stages them, and runs `act` (the update that records the
 * references); the files are kept when `act` succeeds and dropped when it fails. No uploads: `act([])` directly, which
 * checks the viewer itself.
 */
export async function withEvidence<T>(
  ctx: ServiceContext,
  viewer: Viewer,
  taskId: string,
  uploads: readonly Upload[],
  act: (refs: AttachmentRef[]) => Promise<T>,
): Promise<T> {
  if (uploads.length === 0) return act([]);
  const accepted = acceptUploads(uploads, await kindsForTask(ctx, viewer, taskId), ctx.settings.evidence);
  const refs = await Promise.all(
    accepted.map(async (a): Promise<AttachmentRef> => {
      const exif = a.detected.kind === 'image' ? await photoExif(a.data) : undefined;
      return { sha256: a.sha256, name: a.name, kind: a.detected.kind, mime: a.detected.mime, size: a.data.byteLength, ...(exif ? { exif } : {}) };
    }),
  );
  const staging = await (await evidenceStore(ctx)).stage(accepted.map((a) => a.data));
  let result: T;
  try {
    result = await act(refs);
  } catch (err) {
    // The refusal is what the user must hear; a staging folder that could not be removed is swept later.
    await staging.discard().catch(() => undefined);
    throw err;
  }
  await staging.commit();
  return result;
}

/** Who may complete the task may attach to it; the kinds are the step's spec's, all four when it names none. */
async function kindsForTask(ctx: ServiceContext, viewer: Viewer, taskId: string): Promise<readonly AttachmentKind[]> {
  const tree = await ctx.tree();
  const task = await visibleTask(await ctx.temporal(), tree, viewer, taskId);
  requireCanComplete(tree, viewer, task.assignee);
  const state = await task.handle.query(taskStateQuery);
  return completionSpecFor(await ctx.duty(state.dutyId), state).attachments?.kinds ?? ATTACHMENT_KINDS;
}

export interface AcceptedUpload {
  sha256: string;
  /** Cleaned, with an extension of its detected type. */
  name: string;
  data: Uint8Array;
  detected: DetectedKind;
}

const REFUSALS: Record<Refusal, string> = {
  unknown: `文件内容不是${kindList(ATTACHMENT_KINDS)}(按内容识别)`,
  'legacy-office': '是旧版(.doc/.xls)或加了密码的 Office 文件,请另存为 .docx/.xlsx 并取消密码后再上传',
  macro: '是含宏的 Excel/Word 文件,请另存为不含宏的 .xlsx/.docx 后再上传',
};

const MB = 1024 * 1024;
/** `20 MB`, `3.4 MB`, `12 KB`: never `0 MB` for a small file. */
const sizeText = (bytes: number) => (bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`);

/** `附件 3(setup.jpg)`: where a problem lies, by position (from 0) and the name the user gave the file. */
export function uploadLabel(index: number, rawName: string): string {
  const shown = plainName(rawName);
  return `附件 ${index + 1}${shown ? `(${clip(shown)})` : ''}`;
}

export function tooLarge(maxFileBytes: number, size?: number): string {
  return `文件过大(最大 ${sizeText(maxFileBytes)}${size === undefined ? '' : `,收到 ${sizeText(size)}`})`;
}

/**
 * Every problem with every file at once, each naming the file (`附件 3(setup.jpg)`): the count, an empty or
 * oversized file, content that is none of the allowed kinds, the same file twice. Pure: no task, no store.
 */
export function acceptUploads(uploads: readonly Upload[], kinds: readonly AttachmentKind[], limits: EvidenceLimits): AcceptedUpload[] {
  const issues: InputIssue[] = [];
  if (uploads.length > limits.maxFiles) issues.push({ path: '附件', message: `每次最多上传 ${limits.maxFiles} 个文件,收到 ${uploads.length} 个` });
  const seen = new Map<string, number>();
  const accepted = uploads.flatMap((upload, i): AcceptedUpload[] => {
    const refuse = (message: string): AcceptedUpload[] => {
      issues.push({ path: uploadLabel(i, upload.name), message });
      return [];
    };
    const size = upload.data.byteLength;
    if (size === 0) return refuse('文件为空');
    if (size > limits.maxFileBytes) return refuse(tooLarge(limits.maxFileBytes, size));
    const detected = detectKind(upload.data);
    if ('refused' in detected) return refuse(REFUSALS[detected.refused]);
    if (!kinds.includes(detected.kind)) return refuse(`本任务的佐证材料只接受 ${kindList(kinds)},此文件是 ${KIND_NAMES[detected.kind]}`);
    const sha256 = sha256Of(upload.data);
    const first = seen.get(sha256);
    if (first !== undefined) return refuse(`与附件 ${first + 1} 内容相同`);
    seen.set(sha256, i);
    return [{ sha256, name: attachmentName(upload.name, detected, `附件${i + 1}`), data: upload.data, detected }];
  });
  if (issues.length > 0) throw new ValidationError('佐证材料', issues);
  return accepted;
}

const EXIF_STAMP = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

/**
 * When and where a photo was taken, where its EXIF says so: for supervisors judging an on-site visit. A camera
 * writes local time without a zone unless it adds the offset; without one it is taken as the county's. Broken or
 * missing EXIF is no reason to refuse a photo, so it only leaves the fields out.
 */
export async function photoExif(data: Uint8Array): Promise<AttachmentRef['exif']> {
  const tags = (await exifr.parse(data, { gps: true, reviveValues: false }).catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!tags) return undefined;
  const exif: NonNullable<AttachmentRef['exif']> = {};
  const stamp = EXIF_STAMP.exec(String(tags.DateTimeOriginal ?? tags.CreateDate ?? ''));
  if (stamp) {
    const [, y, mo, d, h, mi, s] = stamp;
    const offset = typeof tags.OffsetTimeOriginal === 'string' && OFFSET.test(tags.OffsetTimeOriginal) ? tags.OffsetTimeOriginal : '';
    const at = DateTime.fromISO(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`, offset ? { setZone: true } : { zone: ZONE });
    if (at.isValid) exif.takenAt = at.toISO({ suppressMilliseconds: true }) ?? undefined;
  }
  const { latitude, longitude } = tags;
  // 0,0 is what a camera without a fix writes.
  if (typeof latitude === 'number' && typeof longitude === 'number' && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && (latitude !== 0 || longitude !== 0)) {
    exif.latitude = latitude;
    exif.longitude = longitude;
  }
  return Object.keys(exif).length > 0 ? exif : undefined;
}

/** Every file the task's state refers to: its completion, its latest progress report, completions sent back. */
export function attachmentsOf(state: TaskState): AttachmentRef[] {
  // Tasks from before `evidence` existed keep their files on the steps themselves.
  return [...(state.evidence ?? []), ...[state.completion, state.progress, ...(state.returned ?? [])].flatMap((step) => step?.attachments ?? [])];
}

export interface EvidenceFile {
  ref: AttachmentRef;
  size: number;
  stream: Readable;
}

/** A file of a task the viewer may see, and only one the task refers to: any other hash is "not found". */
export async function readEvidence(ctx: ServiceContext, viewer: Viewer, taskId: string, sha256: string): Promise<EvidenceFile> {
  const state = await showTask(ctx, viewer, taskId);
  const ref = attachmentsOf(state).find((r) => r.sha256 === sha256);
  const blob = ref ? await (await evidenceStore(ctx)).read(ref.sha256) : undefined;
  if (!ref || !blob) throw new NotFoundError('佐证材料', clip(sha256, 64));
  return { ref, ...blob };
}
