import { type Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

const GRPC_ALREADY_EXISTS = 6;
/**
 * How long a closed task stays listable. The yearly 考核 scores a year from one visibility listing of its tasks
 * (src/report/assessment.ts), and it is drawn up after the year ends: a year and a quarter keeps the whole year
 * there. Running tasks are never removed, whatever this says.
 */
const RETENTION_DAYS = 460;

/** Registers the namespace; true when this call created it. */
export async function ensureNamespace(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${RETENTION_DAYS} days`),
      description: 'duty-engine',
    });
    return true;
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) return false;
    throw err;
  }
}
