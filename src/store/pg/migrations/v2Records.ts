/**
 * The audit trail, emergencies, the herald's delivery records per task, evidence blobs.
 *
 * The audit trail is one log in `seq` order, which is also commit order: writers take the table's lock (see
 * src/audit/pgLog.ts). Documents are `json`, not `jsonb`: they read back as written, keys in order (the audit page
 * shows details in the order the services wrote them). Evidence bytes are stored uncompressed out of line (`STORAGE EXTERNAL`): photos and office files are
 * compressed already, and a download reads them a slice at a time.
 */
export const RECORD_TABLES = `
CREATE TABLE duty_audit (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  via text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  unit_id text,
  detail json
);
CREATE INDEX duty_audit_at ON duty_audit (at);
CREATE INDEX duty_audit_action ON duty_audit (action, seq);
CREATE INDEX duty_audit_target ON duty_audit (target, seq);
CREATE INDEX duty_audit_unit ON duty_audit (unit_id, seq) WHERE unit_id IS NOT NULL;

CREATE TABLE duty_emergencies (
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id text PRIMARY KEY,
  emergency json NOT NULL,
  lifted_at text
);
CREATE TABLE duty_emergency_days (
  day date PRIMARY KEY,
  last integer NOT NULL
);

CREATE TABLE duty_deliveries (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  task_id text NOT NULL,
  notification_id text NOT NULL,
  person_id text NOT NULL,
  record json NOT NULL,
  PRIMARY KEY (task_id, notification_id, person_id)
);

CREATE TABLE duty_evidence (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size integer NOT NULL,
  data bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE duty_evidence ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE duty_evidence_staging (
  staging uuid NOT NULL,
  sha256 text NOT NULL,
  size integer NOT NULL,
  data bytea NOT NULL,
  staged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staging, sha256)
);
ALTER TABLE duty_evidence_staging ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX duty_evidence_staging_at ON duty_evidence_staging (staged_at);
`;
