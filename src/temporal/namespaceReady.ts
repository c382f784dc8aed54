import { type Connection, isGrpcServiceError } from '@temporalio/client';
import { DutyError } from '../errors';
import { SEARCH_ATTRIBUTE_TYPES } from '../shared/searchAttributes';
import { ensureSearchAttributes } from './searchAttributes';

export interface NamespaceWaitOptions {
  /** Told once, in Chinese, when the namespace is not ready on the first try. */
  onWait?: (line: string) => void;
  /** @default 60_000: a cluster refreshes its namespace caches every 10 s. */
  timeoutMs?: number;
}

const GRPC = { NOT_FOUND: 5, INVALID_ARGUMENT: 3, UNAVAILABLE: 14 } as const;
const RETRY_EVERY_MS = 1_000;

/**
 * Makes a namespace ready for the engine: it exists everywhere, our search attributes are registered, and the
 * frontend already knows them. On a cluster, a namespace or attribute just added reaches each service's cache only
 * at its next refresh (about 10 s); a schedule created before then fails ("Failed to create schedule"). The dev
 * server reads through its caches, so there this returns at once.
 */
export async function prepareNamespace(connection: Connection, namespace: string, opts: NamespaceWaitOptions = {}): Promise<void> {
  const once = { ...opts, onWait: tellOnce(opts.onWait) };
  await retryWhileNotReady(async () => {
    await connection.workflowService.describeNamespace({ namespace });
    await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
  }, namespace, once);
  await ensureSearchAttributes(connection, namespace);
  await waitForNamespace(connection, namespace, once);
}

/** Waits until the namespace answers a visibility query naming every custom search attribute (what schedules need). */
export function waitForNamespace(connection: Pick<Connection, 'workflowService'>, namespace: string, opts: NamespaceWaitOptions = {}): Promise<void> {
  return retryWhileNotReady(async () => {
    await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1, query: probeQuery() });
  }, namespace, { ...opts, onWait: tellOnce(opts.onWait) });
}

async function retryWhileNotReady(probe: () => Promise<void>, namespace: string, opts: NamespaceWaitOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (!notReadyYet(err)) throw err;
      if (Date.now() > deadline) {
        const why = err instanceof Error ? err.message : String(err);
        throw new DutyError(`命名空间 ${namespace} 等待 ${timeoutMs / 1000} 秒仍不可用: ${why}(搜索属性由 npm start 登记)`, { cause: err });
      }
      opts.onWait?.(`命名空间 ${namespace} 尚未就绪(刚创建,或搜索属性刚登记,服务缓存约 10 秒刷新一次),稍候自动重试 …`);
      await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
    }
  }
}

function tellOnce(onWait: ((line: string) => void) | undefined): ((line: string) => void) | undefined {
  let told = false;
  return (line) => {
    if (!told) onWait?.(line);
    told = true;
  };
}

/** Only attributes present in the namespace's cached mapping can be queried, so this fails until all of them are. */
function probeQuery(): string {
  const sample = { Keyword: "''", KeywordList: "''", Datetime: "'2000-01-01T00:00:00Z'", Int: '0', Bool: 'true' };
  return Object.entries(SEARCH_ATTRIBUTE_TYPES)
    .map(([name, type]) => `${name} = ${sample[type]}`)
    .join(' OR ');
}

function notReadyYet(err: unknown): boolean {
  if (!isGrpcServiceError(err)) return false;
  if (err.code === GRPC.NOT_FOUND || err.code === GRPC.UNAVAILABLE) return true;
  // An unknown attribute is INVALID_ARGUMENT; so is a real query mistake, which the probe cannot make.
  return err.code === GRPC.INVALID_ARGUMENT && /search attribute|no mapping/i.test(err.details ?? err.message);
}
