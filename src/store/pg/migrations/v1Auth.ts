/**
 * Accounts, API tokens, sessions, login rate-limit counters and calendar-feed tokens. As in the files, secrets are
 * kept only as hashes: bcrypt for passwords, SHA-256 (hex) for random tokens and session cookies.
 */
export const AUTH_TABLES = `
CREATE TABLE accounts (
  person_id text PRIMARY KEY,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sessions_ended_at timestamptz,
  disabled_at timestamptz
);

-- No foreign key to accounts: a token may be made for someone in the roster who has no password.
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  person_id text NOT NULL,
  label text NOT NULL,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_live_by_person ON api_tokens (person_id) WHERE revoked_at IS NULL;

CREATE TABLE sessions (
  sid_sha256 text PRIMARY KEY,
  person_id text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- One row per client address, its window timed by the database's clock so every replica counts alike.
CREATE TABLE login_attempts (
  client text PRIMARY KEY,
  hits integer NOT NULL,
  window_ends timestamptz NOT NULL
);
CREATE INDEX login_attempts_by_expiry ON login_attempts (window_ends);

CREATE TABLE feed_tokens (
  person_id text PRIMARY KEY,
  sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);
`;
