import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';

/**
 * The store's tables as Kysely sees them, and the few places where SQLite and PostgreSQL
 * differ: SQLite keeps times as ISO 8601 text and JSON as text, PostgreSQL as timestamptz and
 * jsonb. Writes always send ISO text and JSON text (PostgreSQL casts both on assignment);
 * reads go through `readTime` and `readJson`, which accept either form.
 */

/** Read as Date (PostgreSQL) or ISO text (SQLite); written as ISO text. */
export type Timestamp = ColumnType<Date | string, string, string>;
/** Read as a parsed value (PostgreSQL jsonb) or JSON text (SQLite); written as JSON text. */
export type Json = ColumnType<unknown, string, string>;
/** A time that may be missing. */
export type NullableTimestamp = ColumnType<Date | string | null, string | null, string | null>;

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  user_id: string;
  team_id: string | null;
  channel_id: string | null;
  action: string;
  outcome: string;
  details: Json;
  request_id: string | null;
}

export interface ClaimsTable {
  kind: string;
  subject: string;
  period: string;
  status: string;
  holder: string;
  claimed_at: Timestamp;
  lease_until: ColumnType<Date | string | null, string | null, string | null>;
  finished_at: ColumnType<Date | string | null, string | null, string | null>;
  attempts: ColumnType<number, number, number>;
  result: ColumnType<unknown, string | null, string | null>;
  error: string | null;
}

export interface DigestSnapshotTable {
  period: string;
  taken_at: Timestamp;
  point: number | null;
  risks: Json;
  total_risk: number;
}

export interface ConfirmationsTable {
  nonce: string;
  kind: string;
  requester: string;
  payload: Json;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/**
 * One row per certificate of an account, keyed by (account, id): every field of the Certificate
 * model, and when the inventory saw it. Flags are integers 0/1 on both databases (SQLite has no
 * boolean and cannot bind one), `sans` is a JSON array.
 */
export interface CertificatesTable {
  account: string;
  id: string;
  certificate_id: string | null;
  instance_id: string | null;
  name: string | null;
  common_name: string | null;
  sans: Json;
  issuer: string | null;
  serial_no: string | null;
  fingerprint: string | null;
  start_date: string | null;
  end_date: string | null;
  expired: number;
  uploaded: number;
  status: string | null;
  resource_group_id: string | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
  removed_at: NullableTimestamp;
  /**
   * Derived by the syncing process (see ./derivation.ts), so lists are queries: the end date as
   * a UTC day number (days since 1970-01-01; NULL when unknown), the replacement findReplacements
   * chose and its end day, and how many present resources of the account serve it (NULL while
   * the account's resources were never listed). Written as numbers; PostgreSQL reads integers
   * as numbers, SQLite too.
   */
  end_day: ColumnType<number | null, number | null | undefined, number | null>;
  replaced_by: ColumnType<string | null, string | null | undefined, string | null>;
  replaced_until_day: ColumnType<number | null, number | null | undefined, number | null>;
  served_by: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Which accounts' derived columns follow the current rules (see ./derivation.ts). */
export interface InventoryDerivationsTable {
  account: string;
  version: number;
  derived_at: Timestamp;
}

/** One row per sync attempt: the counts of a successful one, the error of a failed one. */
export interface InventorySyncsTable {
  /** Insertion order, to break ties between equal times. Read as a string on PostgreSQL (bigint). */
  id: ColumnType<number | string, never, never>;
  account: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  status: string;
  certificates: number | null;
  added: number | null;
  changed: number | null;
  removed: number | null;
  pages: number | null;
  calls: number | null;
  error_kind: string | null;
  error_code: string | null;
  error_message: string | null;
  request_id: string | null;
}

export interface AlertStatesTable {
  account: string;
  certificate_id: string;
  acknowledged_by: string | null;
  acknowledged_at: NullableTimestamp;
  snoozed_by: string | null;
  snoozed_until: NullableTimestamp;
  renewed_by: string | null;
}

export interface AlertMessagesTable {
  channel: string;
  ts: string;
  posted_at: Timestamp;
  mention: string | null;
  items: Json;
  omitted: number;
}

export interface AlertMessageItemsTable {
  account: string;
  certificate_id: string;
  channel: string;
  ts: string;
}

export interface CloudResourcesTable {
  account: string;
  id: string;
  certificate_id: string | null;
  cloud: string | null;
  product: string | null;
  region: string | null;
  instance_id: string | null;
  listener_id: string | null;
  listener_port: string | null;
  domain: string | null;
  https: number | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
  removed_at: NullableTimestamp;
}

/**
 * A sync's staging area (see ./staging.ts): one row per sync writing its pages aside, of one
 * account's certificates or resources, touched at every page so an abandoned one can be told
 * from a slow one.
 */
export interface InventoryStagingsTable {
  id: string;
  account: string;
  kind: 'certificates' | 'resources';
  started_at: Timestamp;
  touched_at: Timestamp;
}

/** The certificates one sync has listed so far, keyed by (staging, id); the fields as in `certificates`. */
export type CertificatesStagedTable = Omit<
  CertificatesTable,
  'account' | 'first_seen' | 'last_seen' | 'removed_at' | 'replaced_by' | 'replaced_until_day' | 'served_by'
> & {
  staging: string;
};

/** The resources one sync has listed so far, keyed by (staging, id); the fields as in `cloud_resources`. */
export type CloudResourcesStagedTable = Omit<
  CloudResourcesTable,
  'account' | 'first_seen' | 'last_seen' | 'removed_at'
> & {
  staging: string;
};

export interface ResourceSyncsTable {
  account: string;
  last_success: NullableTimestamp;
  last_attempt: Timestamp;
  error_message: string | null;
  ram_action: string | null;
  request_id: string | null;
}

/** One endpoint's latest verdict (the scheduled probe pass replaces the whole set). */
export interface ProbeResultsTable {
  host: string;
  port: number;
  verdict: string;
  checked_at: Timestamp;
  consecutive_failures: number;
  /** The verdict as the domain models it, with dates as ISO text. */
  detail: string;
}

/** One drift alert posted (see domain/drift-alerts). */
export interface DriftAlertsTable {
  host: string;
  port: number;
  fingerprint: string;
  verdict: string;
  channel: string;
  ts: string;
  posted_at: Timestamp;
  mention: string | null;
  /** The endpoint's verdict when posted, as the domain models it, with dates as ISO text. */
  detail: string;
  acknowledged_by: string | null;
  acknowledged_at: NullableTimestamp;
  snoozed_by: string | null;
  snoozed_until: NullableTimestamp;
  resolved_at: NullableTimestamp;
  resolution: string | null;
}

export interface DeploymentRequestsTable {
  id: string;
  state: string;
  account: string;
  requester: string;
  approver: string | null;
  channel: string;
  message_ts: string | null;
  old_certificate_id: string;
  new_certificate_id: string;
  resources: Json;
  note: string | null;
  job_id: string | null;
  schedule_at: NullableTimestamp;
  created_at: Timestamp;
  expires_at: Timestamp;
  updated_at: Timestamp;
  progress: ColumnType<unknown, string | null, string | null>;
}

/** One row: when the store was created. */
export interface StoreInfoTable {
  id: number;
  created_at: Timestamp;
}

export interface Tables {
  store_info: StoreInfoTable;
  probe_results: ProbeResultsTable;
  drift_alerts: DriftAlertsTable;
  deployment_requests: DeploymentRequestsTable;
  cloud_resources: CloudResourcesTable;
  resource_syncs: ResourceSyncsTable;
  alert_states: AlertStatesTable;
  alert_messages: AlertMessagesTable;
  alert_message_items: AlertMessageItemsTable;
  audit_log: AuditLogTable;
  claims: ClaimsTable;
  digest_snapshot: DigestSnapshotTable;
  account_snapshots: DigestSnapshotTable & { account: string };
  confirmations: ConfirmationsTable;
  certificates: CertificatesTable;
  inventory_syncs: InventorySyncsTable;
  inventory_stagings: InventoryStagingsTable;
  certificates_staged: CertificatesStagedTable;
  inventory_derivations: InventoryDerivationsTable;
  cloud_resources_staged: CloudResourcesStagedTable;
}

export type Dialect = 'sqlite' | 'postgres';

/** An open database: the query builder, which dialect it speaks, and how to close it. */
export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  close(): Promise<void>;
}

/** First key of the advisory locks `writeTransaction` takes on PostgreSQL ("casw"). */
const WRITE_LOCK_CLASS = 0x63617377;

/**
 * Runs `fn` in one write transaction, committed when it resolves and rolled back when it throws.
 * `fn` must use the `trx` it is given for every statement (on SQLite, `database.db` waits for the
 * connection `trx` holds until the transaction ends, so using it inside deadlocks).
 *
 * - SQLite: BEGIN IMMEDIATE, on Kysely's one connection. It takes the write lock up front, so two
 *   processes never both read under a shared lock and then deadlock upgrading it (a plain BEGIN,
 *   which `db.transaction()` sends, does). It also serialises all writers of the file, so `lock`
 *   has nothing to add there.
 * - PostgreSQL: a normal transaction; with `lock`, first a transaction-scoped advisory lock on
 *   that name (per schema), so writers of the same thing (an account's inventory) run one after
 *   the other instead of computing their changes from the same old rows.
 */
export async function writeTransaction<T>(
  database: Database,
  fn: (trx: Kysely<Tables>) => Promise<T>,
  options: { lock?: string } = {},
): Promise<T> {
  if (database.dialect === 'sqlite') {
    return database.db.connection().execute(async (conn) => {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`COMMIT`.execute(conn);
        return result;
      } catch (error) {
        // Some errors (a full disk, an I/O error) end the transaction themselves; the rollback
        // then fails with "no transaction is active", which must not hide the original error.
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
  }
  return database.db.transaction().execute(async (trx) => {
    if (options.lock !== undefined)
      await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK_CLASS}::int, hashtext(coalesce(current_schema(), '') || ':' || ${options.lock}::text))`.execute(
        trx,
      );
    return fn(trx);
  });
}

export const writeTime = (date: Date): string => date.toISOString();

export function readTime(value: Date | string): Date;
export function readTime(value: Date | string | null | undefined): Date | undefined;
export function readTime(value: Date | string | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value : new Date(value);
}

export const writeJson = (value: unknown): string => JSON.stringify(value);

export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
