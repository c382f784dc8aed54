import type { StoreBackend } from './backend';
import { type DeliveryLog, FileDeliveryLog } from './deliveries';
import { type EmergencyStore, FileEmergencyStore } from './emergencies';
import { DirectoryEvidenceStore, type EvidenceStore } from './evidence';
import { PgDeliveryLog } from './pg/deliveries';
import { PgEmergencyStore } from './pg/emergencies';
import { PgEvidenceStore } from './pg/evidence';

/** Each record store of this backend: files under the data directory, or the tables every replica shares. */

export function emergencyStoreOf(backend: StoreBackend): EmergencyStore {
  return backend.kind === 'postgres' ? new PgEmergencyStore(backend.db) : new FileEmergencyStore(backend.dataDir);
}

export function deliveryLogOf(backend: StoreBackend): DeliveryLog {
  return backend.kind === 'postgres' ? new PgDeliveryLog(backend.db) : new FileDeliveryLog(backend.dataDir);
}

export function evidenceStoreOf(backend: StoreBackend): EvidenceStore {
  return backend.kind === 'postgres' ? new PgEvidenceStore(backend.db) : DirectoryEvidenceStore.inDataDir(backend.dataDir);
}
