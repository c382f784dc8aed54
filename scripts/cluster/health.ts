import { Connection } from '@temporalio/client';
import { loadConnectionConfig, toConnectionOptions } from '../../src/temporal/connection';
import { clusterClientEnv, CLUSTER_NAMESPACE } from './envFile';
import type { ClusterLayout, Service } from './layout';

/** The names each role registers with gRPC health (in the server source, not their own proto package names). */
const HEALTH_SERVICE: Record<Service, string> = {
  frontend: 'temporal.api.workflowservice.v1.WorkflowService',
  history: 'temporal.api.workflowservice.v1.HistoryService',
  matching: 'temporal.api.workflowservice.v1.MatchingService',
  worker: 'temporal.api.workflowservice.v1.WorkerService',
};

const SERVING = 1;
const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING(history 在取得分片后才就绪)', 'SERVICE_UNKNOWN'];

/** Each service's gRPC health check; the frontend's over mTLS, and it must also answer for the namespace. */
export async function probeService(layout: ClusterLayout, service: Service): Promise<string> {
  const tlsOptions = service === 'frontend' ? toConnectionOptions(loadConnectionConfig({ env: clusterClientEnv(layout) })) : {};
  const connection = Connection.lazy({ ...tlsOptions, address: `${layout.host}:${layout.ports.grpc[service]}`, connectTimeout: 3_000 });
  try {
    const deadline = new Date(Date.now() + 3_000);
    const { status } = await connection.withDeadline(deadline, () => connection.healthService.check({ service: HEALTH_SERVICE[service] }));
    if (status !== SERVING) throw new Error(`gRPC 健康检查: ${STATUS_NAMES[status ?? 0] ?? String(status)}`);
    if (service !== 'frontend') return 'gRPC 健康检查 SERVING';
    await connection.withDeadline(deadline, () => connection.workflowService.describeNamespace({ namespace: CLUSTER_NAMESPACE }));
    return `gRPC 健康检查 SERVING,mTLS,命名空间 ${CLUSTER_NAMESPACE} 可用`;
  } finally {
    await connection.close();
  }
}
