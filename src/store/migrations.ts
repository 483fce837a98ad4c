/**
 * Schema versions of both databases, applied in order, side by side so a change is made to
 * both at once. Every statement is idempotent (IF NOT EXISTS), and each runner applies them
 * under a lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so replicas or a CLI
 * command starting at the same moment as `serve` never race each other.
 * PostgreSQL compares keys byte-wise (COLLATE "C"), as SQLite does, so "the latest earlier
 * period" and listing order do not depend on the server's locale.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     user_id TEXT NOT NULL,
     team_id TEXT,
     channel_id TEXT,
     action TEXT NOT NULL,
     outcome TEXT NOT NULL,
     details TEXT NOT NULL,
     request_id TEXT
   );
   CREATE TABLE IF NOT EXISTS digest_ledger (
     channel TEXT NOT NULL,
     period TEXT NOT NULL,
     status TEXT NOT NULL,
     claimed_by TEXT NOT NULL,
     claimed_at TEXT NOT NULL,
     finished_at TEXT,
     message_ts TEXT,
     error TEXT,
     PRIMARY KEY (channel, period)
   );
   CREATE TABLE IF NOT EXISTS digest_snapshot (
     period TEXT PRIMARY KEY,
     taken_at TEXT NOT NULL,
     point REAL,
     risks TEXT NOT NULL,
     total_risk INTEGER NOT NULL
   );`,
  // Generic exactly-once claims replace the digest ledger (its rows move over), and pending
  // confirmations move from button values to the server.
  `CREATE TABLE IF NOT EXISTS claims (
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     period TEXT NOT NULL,
     status TEXT NOT NULL,
     holder TEXT NOT NULL,
     claimed_at TEXT NOT NULL,
     lease_until TEXT,
     finished_at TEXT,
     attempts INTEGER NOT NULL DEFAULT 1,
     result TEXT,
     error TEXT,
     PRIMARY KEY (kind, subject, period)
   );
   INSERT OR IGNORE INTO claims (kind, subject, period, status, holder, claimed_at, lease_until, finished_at, attempts, result, error)
     SELECT 'digest', channel, period, status, claimed_by, claimed_at,
            CASE WHEN status = 'claimed' THEN claimed_at END, finished_at, 1,
            CASE WHEN message_ts IS NOT NULL THEN json_object('messageTs', message_ts) END, error
     FROM digest_ledger;
   DROP TABLE IF EXISTS digest_ledger;
   CREATE TABLE IF NOT EXISTS confirmations (
     nonce TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     requester TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );`,
  // The certificate inventory (a background sync of CAS) and the record of each sync.
  `CREATE TABLE IF NOT EXISTS certificates (
     account TEXT NOT NULL,
     id TEXT NOT NULL,
     certificate_id TEXT,
     instance_id TEXT,
     name TEXT,
     common_name TEXT,
     sans TEXT NOT NULL,
     issuer TEXT,
     serial_no TEXT,
     fingerprint TEXT,
     start_date TEXT,
     end_date TEXT,
     expired INTEGER NOT NULL CHECK (expired IN (0, 1)),
     uploaded INTEGER NOT NULL CHECK (uploaded IN (0, 1)),
     status TEXT,
     resource_group_id TEXT,
     first_seen TEXT NOT NULL,
     last_seen TEXT NOT NULL,
     removed_at TEXT,
     PRIMARY KEY (account, id)
   );
   CREATE TABLE IF NOT EXISTS inventory_syncs (
     id INTEGER PRIMARY KEY,
     account TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
     certificates INTEGER,
     added INTEGER,
     changed INTEGER,
     removed INTEGER,
     pages INTEGER,
     calls INTEGER,
     error_kind TEXT,
     error_code TEXT,
     error_message TEXT,
     request_id TEXT,
     CHECK ((status = 'ok' AND certificates IS NOT NULL AND added IS NOT NULL AND changed IS NOT NULL AND removed IS NOT NULL)
            OR (status = 'failed' AND error_message IS NOT NULL))
   );
   CREATE INDEX IF NOT EXISTS inventory_syncs_latest_attempt ON inventory_syncs (account, finished_at, id);
   CREATE INDEX IF NOT EXISTS inventory_syncs_latest_success ON inventory_syncs (account, finished_at, id) WHERE status = 'ok';`,
  // Alerts: who acknowledged or snoozed a certificate, and every alert message posted, so it
  // can be updated in place (the ledger itself is the claims table).
  `CREATE TABLE IF NOT EXISTS alert_states (
     account TEXT NOT NULL,
     certificate_id TEXT NOT NULL,
     acknowledged_by TEXT,
     acknowledged_at TEXT,
     snoozed_by TEXT,
     snoozed_until TEXT,
     renewed_by TEXT,
     PRIMARY KEY (account, certificate_id)
   );
   CREATE TABLE IF NOT EXISTS alert_messages (
     channel TEXT NOT NULL,
     ts TEXT NOT NULL,
     posted_at TEXT NOT NULL,
     mention TEXT,
     items TEXT NOT NULL,
     omitted INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (channel, ts)
   );
   CREATE TABLE IF NOT EXISTS alert_message_items (
     account TEXT NOT NULL,
     certificate_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     ts TEXT NOT NULL,
     PRIMARY KEY (account, certificate_id, channel, ts)
   );`,
  // Where each certificate is deployed: ListCloudResources rows, kept like certificates
  // (removed ones marked, not deleted), and the state of their sync.
  `CREATE TABLE IF NOT EXISTS cloud_resources (
     account TEXT NOT NULL,
     id TEXT NOT NULL,
     certificate_id TEXT,
     cloud TEXT,
     product TEXT,
     region TEXT,
     instance_id TEXT,
     listener_id TEXT,
     listener_port TEXT,
     domain TEXT,
     https INTEGER,
     first_seen TEXT NOT NULL,
     last_seen TEXT NOT NULL,
     removed_at TEXT,
     PRIMARY KEY (account, id)
   );
   CREATE TABLE IF NOT EXISTS resource_syncs (
     account TEXT PRIMARY KEY,
     last_success TEXT,
     last_attempt TEXT NOT NULL,
     error_message TEXT,
     ram_action TEXT,
     request_id TEXT
   );`,
  // Each account's numbers per digest period, for per-account trends (App Home, the chart).
  `CREATE TABLE IF NOT EXISTS account_snapshots (
     period TEXT NOT NULL,
     account TEXT NOT NULL,
     taken_at TEXT NOT NULL,
     point REAL,
     risks TEXT NOT NULL,
     total_risk INTEGER NOT NULL,
     PRIMARY KEY (account, period)
   );`,
  `CREATE TABLE IF NOT EXISTS probe_results (
     host TEXT NOT NULL,
     port INTEGER NOT NULL,
     verdict TEXT NOT NULL,
     checked_at TEXT NOT NULL,
     consecutive_failures INTEGER NOT NULL,
     detail TEXT NOT NULL,
     PRIMARY KEY (host, port)
   );`,
  // Deployment requests from Slack: one row per request, keyed by its nonce; approval and every
  // step after it are conditional updates of `state`, so a double press or two replicas move it once.
  `CREATE TABLE IF NOT EXISTS deployment_requests (
     id TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     account TEXT NOT NULL,
     requester TEXT NOT NULL,
     approver TEXT,
     channel TEXT NOT NULL,
     message_ts TEXT,
     old_certificate_id TEXT NOT NULL,
     new_certificate_id TEXT NOT NULL,
     resources TEXT NOT NULL,
     note TEXT,
     job_id TEXT,
     schedule_at TEXT,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     progress TEXT
   );
   CREATE INDEX IF NOT EXISTS deployment_requests_state ON deployment_requests (state);`,
  // When the store was created, so schedules know which periods the bot existed for (no
  // "posted late" digest for a week before it). One row; a store that already has data dates
  // from its oldest record, a new one is dated by the bot's clock when it first opens it.
  `CREATE TABLE IF NOT EXISTS store_info (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     created_at TEXT NOT NULL
   );
   INSERT OR IGNORE INTO store_info (id, created_at)
     SELECT 1, min(t) FROM (
       SELECT min(claimed_at) AS t FROM claims
       UNION ALL SELECT min(started_at) FROM inventory_syncs
       UNION ALL SELECT min(at) FROM audit_log
       UNION ALL SELECT min(first_seen) FROM certificates
     ) AS oldest
     HAVING min(t) IS NOT NULL;`,
  // Drift alerts: one row per (endpoint, served fingerprint, verdict) announced, with the message
  // it is in, who acknowledged or snoozed it, and when a later probe found it fixed.
  `CREATE TABLE IF NOT EXISTS drift_alerts (
     host TEXT NOT NULL,
     port INTEGER NOT NULL,
     fingerprint TEXT NOT NULL,
     verdict TEXT NOT NULL,
     channel TEXT NOT NULL,
     ts TEXT NOT NULL,
     posted_at TEXT NOT NULL,
     mention TEXT,
     detail TEXT NOT NULL,
     acknowledged_by TEXT,
     acknowledged_at TEXT,
     snoozed_by TEXT,
     snoozed_until TEXT,
     resolved_at TEXT,
     resolution TEXT,
     PRIMARY KEY (host, port, fingerprint, verdict)
   );
   CREATE INDEX IF NOT EXISTS drift_alerts_message ON drift_alerts (channel, ts);`,
  // Streaming syncs: each sync writes its pages aside as they arrive (a staging row per sync and
  // its staged certificates or resources) and swaps them in with one short transaction at the
  // end, so the sync holds no more than a few pages in memory and a failed or killed one leaves
  // the inventory as it was (see src/store/staging.ts).
  `CREATE TABLE IF NOT EXISTS inventory_stagings (
     id TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('certificates', 'resources')),
     started_at TEXT NOT NULL,
     touched_at TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS certificates_staged (
     staging TEXT NOT NULL,
     id TEXT NOT NULL,
     certificate_id TEXT,
     instance_id TEXT,
     name TEXT,
     common_name TEXT,
     sans TEXT NOT NULL,
     issuer TEXT,
     serial_no TEXT,
     fingerprint TEXT,
     start_date TEXT,
     end_date TEXT,
     expired INTEGER NOT NULL CHECK (expired IN (0, 1)),
     uploaded INTEGER NOT NULL CHECK (uploaded IN (0, 1)),
     status TEXT,
     resource_group_id TEXT,
     PRIMARY KEY (staging, id)
   );
   CREATE TABLE IF NOT EXISTS cloud_resources_staged (
     staging TEXT NOT NULL,
     id TEXT NOT NULL,
     certificate_id TEXT,
     cloud TEXT,
     product TEXT,
     region TEXT,
     instance_id TEXT,
     listener_id TEXT,
     listener_port TEXT,
     domain TEXT,
     https INTEGER,
     PRIMARY KEY (staging, id)
   );`,
  // Lists as queries (issue 22): what a list sorts and filters by is derived once per sync by the
  // syncing process and kept with each certificate (see src/store/derivation.ts): the end date as
  // a day number, the replacement and its end day, and how many resources serve it. Rows already
  // here are derived by the first read of the list queries or the account's next sync (whichever
  // comes first), recorded per account in inventory_derivations.
  `ALTER TABLE certificates ADD COLUMN end_day INTEGER;
   ALTER TABLE certificates ADD COLUMN replaced_by TEXT;
   ALTER TABLE certificates ADD COLUMN replaced_until_day INTEGER;
   ALTER TABLE certificates ADD COLUMN served_by INTEGER;
   ALTER TABLE certificates_staged ADD COLUMN end_day INTEGER;
   CREATE TABLE IF NOT EXISTS inventory_derivations (
     account TEXT PRIMARY KEY,
     version INTEGER NOT NULL,
     derived_at TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS certificates_present_end_day ON certificates (account, end_day) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS certificates_replaced_by ON certificates (account, replaced_by) WHERE replaced_by IS NOT NULL;
   CREATE INDEX IF NOT EXISTS cloud_resources_certificate ON cloud_resources (account, certificate_id) WHERE removed_at IS NULL;`,
  // Lookups by what a person types (issue 22): /cert-info's ID (the inventory ID or CAS's
  // CertificateId), a resource's instance or listener ID in any case, and a domain against every
  // name a certificate holds. Names are kept lowercased, one row each, by triggers on every write
  // of a certificate (a sync's swap, replace(), a backfill), so no writer can forget them.
  `CREATE INDEX IF NOT EXISTS certificates_id ON certificates (id) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS certificates_certificate_id ON certificates (certificate_id) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS cloud_resources_instance_lower ON cloud_resources (lower(instance_id)) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS cloud_resources_listener_lower ON cloud_resources (lower(listener_id)) WHERE removed_at IS NULL;
   CREATE TABLE IF NOT EXISTS certificate_names (
     name TEXT NOT NULL,
     account TEXT NOT NULL,
     id TEXT NOT NULL,
     PRIMARY KEY (name, account, id)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS certificate_names_certificate ON certificate_names (account, id);
   INSERT OR IGNORE INTO certificate_names (name, account, id)
     SELECT lower(c.common_name), c.account, c.id FROM certificates c WHERE c.common_name IS NOT NULL
     UNION SELECT lower(s.value), c.account, c.id FROM certificates c, json_each(c.sans) s WHERE s.value IS NOT NULL;
   CREATE TRIGGER IF NOT EXISTS certificate_names_insert AFTER INSERT ON certificates BEGIN
     INSERT OR IGNORE INTO certificate_names (name, account, id)
       SELECT lower(NEW.common_name), NEW.account, NEW.id WHERE NEW.common_name IS NOT NULL
       UNION SELECT lower(s.value), NEW.account, NEW.id FROM json_each(NEW.sans) s WHERE s.value IS NOT NULL;
   END;
   CREATE TRIGGER IF NOT EXISTS certificate_names_update AFTER UPDATE OF account, id, common_name, sans ON certificates
   WHEN OLD.account IS NOT NEW.account OR OLD.id IS NOT NEW.id
     OR OLD.common_name IS NOT NEW.common_name OR OLD.sans IS NOT NEW.sans BEGIN
     DELETE FROM certificate_names WHERE account = OLD.account AND id = OLD.id;
     INSERT OR IGNORE INTO certificate_names (name, account, id)
       SELECT lower(NEW.common_name), NEW.account, NEW.id WHERE NEW.common_name IS NOT NULL
       UNION SELECT lower(s.value), NEW.account, NEW.id FROM json_each(NEW.sans) s WHERE s.value IS NOT NULL;
   END;
   CREATE TRIGGER IF NOT EXISTS certificate_names_delete AFTER DELETE ON certificates BEGIN
     DELETE FROM certificate_names WHERE account = OLD.account AND id = OLD.id;
   END;`,
];

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS audit_log (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at timestamptz NOT NULL,
     user_id text NOT NULL,
     team_id text,
     channel_id text,
     action text NOT NULL,
     outcome text NOT NULL,
     details jsonb NOT NULL,
     request_id text
   );
   CREATE TABLE IF NOT EXISTS digest_ledger (
     channel text COLLATE "C" NOT NULL,
     period text COLLATE "C" NOT NULL,
     status text NOT NULL CHECK (status IN ('claimed', 'posted', 'failed')),
     claimed_by text NOT NULL,
     claimed_at timestamptz NOT NULL,
     finished_at timestamptz,
     message_ts text,
     error text,
     PRIMARY KEY (channel, period)
   );
   CREATE TABLE IF NOT EXISTS digest_snapshot (
     period text COLLATE "C" PRIMARY KEY,
     taken_at timestamptz NOT NULL,
     point double precision,
     risks jsonb NOT NULL,
     total_risk integer NOT NULL
   );`,
  `CREATE TABLE IF NOT EXISTS claims (
     kind text COLLATE "C" NOT NULL,
     subject text COLLATE "C" NOT NULL,
     period text COLLATE "C" NOT NULL,
     status text NOT NULL,
     holder text NOT NULL,
     claimed_at timestamptz NOT NULL,
     lease_until timestamptz,
     finished_at timestamptz,
     attempts integer NOT NULL DEFAULT 1,
     result jsonb,
     error text,
     PRIMARY KEY (kind, subject, period)
   );
   INSERT INTO claims (kind, subject, period, status, holder, claimed_at, lease_until, finished_at, attempts, result, error)
     SELECT 'digest', channel, period, status, claimed_by, claimed_at,
            CASE WHEN status = 'claimed' THEN claimed_at END, finished_at, 1,
            CASE WHEN message_ts IS NOT NULL THEN jsonb_build_object('messageTs', message_ts) END, error
     FROM digest_ledger
     ON CONFLICT DO NOTHING;
   DROP TABLE IF EXISTS digest_ledger;
   CREATE TABLE IF NOT EXISTS confirmations (
     nonce text PRIMARY KEY,
     kind text NOT NULL,
     requester text NOT NULL,
     payload jsonb NOT NULL,
     created_at timestamptz NOT NULL,
     expires_at timestamptz NOT NULL
   );`,
  `CREATE TABLE IF NOT EXISTS certificates (
     account text COLLATE "C" NOT NULL,
     id text COLLATE "C" NOT NULL,
     certificate_id text,
     instance_id text,
     name text,
     common_name text,
     sans jsonb NOT NULL,
     issuer text,
     serial_no text,
     fingerprint text,
     start_date text,
     end_date text,
     expired smallint NOT NULL CHECK (expired IN (0, 1)),
     uploaded smallint NOT NULL CHECK (uploaded IN (0, 1)),
     status text,
     resource_group_id text,
     first_seen timestamptz NOT NULL,
     last_seen timestamptz NOT NULL,
     removed_at timestamptz,
     PRIMARY KEY (account, id)
   );
   CREATE TABLE IF NOT EXISTS inventory_syncs (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     account text COLLATE "C" NOT NULL,
     started_at timestamptz NOT NULL,
     finished_at timestamptz NOT NULL,
     status text NOT NULL CHECK (status IN ('ok', 'failed')),
     certificates integer,
     added integer,
     changed integer,
     removed integer,
     pages integer,
     calls integer,
     error_kind text,
     error_code text,
     error_message text,
     request_id text,
     CHECK ((status = 'ok' AND certificates IS NOT NULL AND added IS NOT NULL AND changed IS NOT NULL AND removed IS NOT NULL)
            OR (status = 'failed' AND error_message IS NOT NULL))
   );
   CREATE INDEX IF NOT EXISTS inventory_syncs_latest_attempt ON inventory_syncs (account, finished_at, id);
   CREATE INDEX IF NOT EXISTS inventory_syncs_latest_success ON inventory_syncs (account, finished_at, id) WHERE status = 'ok';`,
  `CREATE TABLE IF NOT EXISTS alert_states (
     account text COLLATE "C" NOT NULL,
     certificate_id text COLLATE "C" NOT NULL,
     acknowledged_by text,
     acknowledged_at timestamptz,
     snoozed_by text,
     snoozed_until timestamptz,
     renewed_by text,
     PRIMARY KEY (account, certificate_id)
   );
   CREATE TABLE IF NOT EXISTS alert_messages (
     channel text COLLATE "C" NOT NULL,
     ts text COLLATE "C" NOT NULL,
     posted_at timestamptz NOT NULL,
     mention text,
     items jsonb NOT NULL,
     omitted integer NOT NULL DEFAULT 0,
     PRIMARY KEY (channel, ts)
   );
   CREATE TABLE IF NOT EXISTS alert_message_items (
     account text COLLATE "C" NOT NULL,
     certificate_id text COLLATE "C" NOT NULL,
     channel text COLLATE "C" NOT NULL,
     ts text COLLATE "C" NOT NULL,
     PRIMARY KEY (account, certificate_id, channel, ts)
   );`,
  `CREATE TABLE IF NOT EXISTS cloud_resources (
     account text COLLATE "C" NOT NULL,
     id text COLLATE "C" NOT NULL,
     certificate_id text COLLATE "C",
     cloud text,
     product text,
     region text,
     instance_id text,
     listener_id text,
     listener_port text,
     domain text,
     https smallint,
     first_seen timestamptz NOT NULL,
     last_seen timestamptz NOT NULL,
     removed_at timestamptz,
     PRIMARY KEY (account, id)
   );
   CREATE TABLE IF NOT EXISTS resource_syncs (
     account text COLLATE "C" PRIMARY KEY,
     last_success timestamptz,
     last_attempt timestamptz NOT NULL,
     error_message text,
     ram_action text,
     request_id text
   );`,
  `CREATE TABLE IF NOT EXISTS account_snapshots (
     period text COLLATE "C" NOT NULL,
     account text COLLATE "C" NOT NULL,
     taken_at timestamptz NOT NULL,
     point double precision,
     risks jsonb NOT NULL,
     total_risk integer NOT NULL,
     PRIMARY KEY (account, period)
   );`,
  `CREATE TABLE IF NOT EXISTS probe_results (
     host text COLLATE "C" NOT NULL,
     port integer NOT NULL,
     verdict text NOT NULL,
     checked_at timestamptz NOT NULL,
     consecutive_failures integer NOT NULL,
     detail text NOT NULL,
     PRIMARY KEY (host, port)
   );`,
  `CREATE TABLE IF NOT EXISTS deployment_requests (
     id text COLLATE "C" PRIMARY KEY,
     state text NOT NULL,
     account text COLLATE "C" NOT NULL,
     requester text NOT NULL,
     approver text,
     channel text NOT NULL,
     message_ts text,
     old_certificate_id text NOT NULL,
     new_certificate_id text NOT NULL,
     resources jsonb NOT NULL,
     note text,
     job_id text,
     schedule_at timestamptz,
     created_at timestamptz NOT NULL,
     expires_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     progress jsonb
   );
   CREATE INDEX IF NOT EXISTS deployment_requests_state ON deployment_requests (state);`,
  `CREATE TABLE IF NOT EXISTS store_info (
     id integer PRIMARY KEY CHECK (id = 1),
     created_at timestamptz NOT NULL
   );
   INSERT INTO store_info (id, created_at)
     SELECT 1, min(t) FROM (
       SELECT min(claimed_at) AS t FROM claims
       UNION ALL SELECT min(started_at) FROM inventory_syncs
       UNION ALL SELECT min(at) FROM audit_log
       UNION ALL SELECT min(first_seen) FROM certificates
     ) AS oldest
     HAVING min(t) IS NOT NULL
     ON CONFLICT DO NOTHING;`,
  `CREATE TABLE IF NOT EXISTS drift_alerts (
     host text COLLATE "C" NOT NULL,
     port integer NOT NULL,
     fingerprint text COLLATE "C" NOT NULL,
     verdict text COLLATE "C" NOT NULL,
     channel text COLLATE "C" NOT NULL,
     ts text COLLATE "C" NOT NULL,
     posted_at timestamptz NOT NULL,
     mention text,
     detail text NOT NULL,
     acknowledged_by text,
     acknowledged_at timestamptz,
     snoozed_by text,
     snoozed_until timestamptz,
     resolved_at timestamptz,
     resolution text,
     PRIMARY KEY (host, port, fingerprint, verdict)
   );
   CREATE INDEX IF NOT EXISTS drift_alerts_message ON drift_alerts (channel, ts);`,
  `CREATE TABLE IF NOT EXISTS inventory_stagings (
     id text COLLATE "C" PRIMARY KEY,
     account text COLLATE "C" NOT NULL,
     kind text NOT NULL CHECK (kind IN ('certificates', 'resources')),
     started_at timestamptz NOT NULL,
     touched_at timestamptz NOT NULL
   );
   CREATE TABLE IF NOT EXISTS certificates_staged (
     staging text COLLATE "C" NOT NULL,
     id text COLLATE "C" NOT NULL,
     certificate_id text,
     instance_id text,
     name text,
     common_name text,
     sans jsonb NOT NULL,
     issuer text,
     serial_no text,
     fingerprint text,
     start_date text,
     end_date text,
     expired smallint NOT NULL CHECK (expired IN (0, 1)),
     uploaded smallint NOT NULL CHECK (uploaded IN (0, 1)),
     status text,
     resource_group_id text,
     PRIMARY KEY (staging, id)
   );
   CREATE TABLE IF NOT EXISTS cloud_resources_staged (
     staging text COLLATE "C" NOT NULL,
     id text COLLATE "C" NOT NULL,
     certificate_id text COLLATE "C",
     cloud text,
     product text,
     region text,
     instance_id text,
     listener_id text,
     listener_port text,
     domain text,
     https smallint,
     PRIMARY KEY (staging, id)
   );`,
  `ALTER TABLE certificates
     ADD COLUMN IF NOT EXISTS end_day integer,
     ADD COLUMN IF NOT EXISTS replaced_by text COLLATE "C",
     ADD COLUMN IF NOT EXISTS replaced_until_day integer,
     ADD COLUMN IF NOT EXISTS served_by integer;
   ALTER TABLE certificates_staged ADD COLUMN IF NOT EXISTS end_day integer;
   CREATE TABLE IF NOT EXISTS inventory_derivations (
     account text COLLATE "C" PRIMARY KEY,
     version integer NOT NULL,
     derived_at timestamptz NOT NULL
   );
   CREATE INDEX IF NOT EXISTS certificates_present_end_day ON certificates (account, end_day) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS certificates_replaced_by ON certificates (account, replaced_by) WHERE replaced_by IS NOT NULL;
   CREATE INDEX IF NOT EXISTS cloud_resources_certificate ON cloud_resources (account, certificate_id) WHERE removed_at IS NULL;`,
  `CREATE INDEX IF NOT EXISTS certificates_id ON certificates (id) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS certificates_certificate_id ON certificates (certificate_id) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS cloud_resources_instance_lower ON cloud_resources (lower(instance_id)) WHERE removed_at IS NULL;
   CREATE INDEX IF NOT EXISTS cloud_resources_listener_lower ON cloud_resources (lower(listener_id)) WHERE removed_at IS NULL;
   CREATE TABLE IF NOT EXISTS certificate_names (
     name text NOT NULL,
     account text COLLATE "C" NOT NULL,
     id text COLLATE "C" NOT NULL,
     PRIMARY KEY (name, account, id)
   );
   CREATE INDEX IF NOT EXISTS certificate_names_certificate ON certificate_names (account, id);
   INSERT INTO certificate_names (name, account, id)
     SELECT lower(c.common_name), c.account, c.id FROM certificates c WHERE c.common_name IS NOT NULL
     UNION SELECT lower(s.v), c.account, c.id FROM certificates c, jsonb_array_elements_text(c.sans) AS s(v) WHERE s.v IS NOT NULL
     ON CONFLICT DO NOTHING;
   CREATE OR REPLACE FUNCTION certificate_names_kept() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP <> 'INSERT' THEN
       DELETE FROM certificate_names WHERE account = OLD.account AND id = OLD.id;
     END IF;
     IF TG_OP <> 'DELETE' THEN
       INSERT INTO certificate_names (name, account, id)
         SELECT lower(NEW.common_name), NEW.account, NEW.id WHERE NEW.common_name IS NOT NULL
         UNION SELECT lower(s.v), NEW.account, NEW.id FROM jsonb_array_elements_text(NEW.sans) AS s(v) WHERE s.v IS NOT NULL
         ON CONFLICT DO NOTHING;
     END IF;
     RETURN NULL;
   END $$;
   CREATE TRIGGER certificate_names_insert AFTER INSERT ON certificates
     FOR EACH ROW EXECUTE FUNCTION certificate_names_kept();
   CREATE TRIGGER certificate_names_update AFTER UPDATE OF account, id, common_name, sans ON certificates
     FOR EACH ROW WHEN (OLD.account IS DISTINCT FROM NEW.account OR OLD.id IS DISTINCT FROM NEW.id
       OR OLD.common_name IS DISTINCT FROM NEW.common_name OR OLD.sans IS DISTINCT FROM NEW.sans)
     EXECUTE FUNCTION certificate_names_kept();
   CREATE TRIGGER certificate_names_delete AFTER DELETE ON certificates
     FOR EACH ROW EXECUTE FUNCTION certificate_names_kept();`,
];
