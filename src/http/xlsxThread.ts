import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AssessmentReport } from '../report/assessmentReport';
import { assessmentXlsx } from '../report/assessmentXlsx';

/**
 * The 考核 通报's Excel file, built on a worker thread (the overdue report's is written as it is listed, by exceljs's
 * streaming writer, see `writeOverdueXlsx`). exceljs's in-memory workbook adds rows and deflates the file in
 * JavaScript: 170–210 ms of unbroken work for 3,000 rows and 375 ms for 10,000, then pauses of 50–130 ms while it
 * compresses. On the server's own event loop that would hold up every sign-in and page meanwhile; on the thread it holds up
 * nothing. One thread, one workbook at a time (requests queue), started on first use and not keeping the process
 * alive. The workbook is the same `assessmentXlsx` builds anywhere else.
 */
const ROLE = 'duty-xlsx';

type Workbook = { kind: 'assessment'; report: AssessmentReport };
type Job = { id: number } & Workbook;
type Answer = { id: number; ok: true; file: Uint8Array } | { id: number; ok: false; message: string };

if (!isMainThread && workerData === ROLE && parentPort) {
  const port = parentPort;
  port.on('message', (job: Job) => {
    assessmentXlsx(job.report).then(
      (file) => port.postMessage({ id: job.id, ok: true, file } satisfies Answer),
      (err: unknown) => port.postMessage({ id: job.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies Answer),
    );
  });
}

/** The thread loads this very file through tsx's require hook, so it runs the same under `npm start` and under jest. */
const BOOT = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(__filename)});`;

let thread: Worker | undefined;
let nextId = 0;
let queue: Promise<unknown> = Promise.resolve();
const waiting = new Map<number, { resolve: (file: Buffer) => void; reject: (err: Error) => void }>();

function startThread(): Worker {
  const worker = new Worker(BOOT, { eval: true, workerData: ROLE, execArgv: [] });
  worker.unref();
  worker.on('message', (a: Answer) => {
    const w = waiting.get(a.id);
    waiting.delete(a.id);
    if (a.ok) w?.resolve(Buffer.from(a.file.buffer, a.file.byteOffset, a.file.byteLength));
    else w?.reject(new Error(`生成 Excel 文件失败: ${a.message}`));
  });
  const fail = (err: Error) => {
    if (thread === worker) thread = undefined;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`生成 Excel 文件的线程意外退出(退出码 ${code})`)));
  return worker;
}

function build(workbook: Workbook): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, { resolve, reject });
    (thread ??= startThread()).postMessage({ id, ...workbook } satisfies Job);
  });
}

function queued(workbook: Workbook): Promise<Buffer> {
  const result = queue.then(() => build(workbook));
  queue = result.catch(() => undefined);
  return result;
}

/** The 考核 通报 as `assessmentXlsx` makes it, built off the event loop. */
export function assessmentXlsxOffThread(report: AssessmentReport): Promise<Buffer> {
  return queued({ kind: 'assessment', report });
}
