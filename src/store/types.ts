import type { CertificateState } from '../domain/certificate-state';
import type { CertificateFilter } from '../domain/certificate-filter';
import type { Certificate } from '../domain/certificate';
import type { DeploymentState, ServingResource } from '../domain/deployment';
import type { DriftAlertKey, DriftAlertRecord, DriftResolution } from '../domain/drift-alerts';
import type { Endpoint } from '../domain/endpoints';
import type { EndpointVerdict } from '../domain/probe-verdict';
import type { DeploymentRequestStore } from './deployment-requests';

/**
 * What the bot keeps between restarts, by concern: the audit log, exactly-once claims, digest
 * snapshots, pending confirmations and the certificate inventory. Each is a small interface with one implementation that
 * serves SQLite and PostgreSQL alike (see ./database.ts for the dialect differences).
 */

export type AuditOutcome =
  | 'refused'
  | 'requested'
  | 'confirmed'
  | 'cancelled'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'acknowledged'
  | 'snoozed'
  // The steps of a deployment request.
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'created'
  | 'started';

export interface AuditEntry {
  at: Date;
  userId: string;
  teamId?: string;
  channelId?: string;
  action: string;
  outcome: AuditOutcome;
  /** What the action was about, e.g. `{ dataSourceId, count }`; never secrets. */
  details: Record<string, unknown>;
  requestId?: string;
}

/** Which entries `AuditLog.list` returns; every given condition must hold. */
export interface AuditFilter {
  /** Only entries at or after this time. */
  since?: Date;
  /** Only this Slack user's entries. */
  userId?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** At most `limit` entries matching the filter, newest (last recorded) first. */
  list(limit: number, filter?: AuditFilter): Promise<AuditEntry[]>;
}

/** What a claim is about: e.g. (digest, channel, period) or (cert-assign, nonce, decision). */
export interface ClaimKey {
  kind: string;
  subject: string;
  period: string;
}

export interface ClaimRequest extends ClaimKey {
  /** Names the process (host and pid), so a claim can be traced. */
  holder: string;
  now: Date;
  /**
   * How long the claim is this holder's without a renewal. A holder that dies stops renewing,
   * so its claim is free again as soon as the lease runs out.
   */
  leaseMs: number;
  /** Take the claim even if the work was finished (`digest --post --force`). */
  force?: boolean;
}

/** A claim granted: `attempt` > 1 means an earlier holder started the same work and did not finish it. */
export interface Claimed {
  attempt: number;
}

export type ClaimStatus = 'claimed' | 'released' | string;

export interface ClaimEntry extends ClaimKey {
  /** `claimed` while held, `released` when given back, else the final outcome (e.g. posted, failed). */
  status: ClaimStatus;
  holder: string;
  claimedAt: Date;
  leaseUntil?: Date;
  finishedAt?: Date;
  attempts: number;
  /** What the finished work left for later readers, e.g. `{ messageTs }`. */
  result?: Record<string, unknown>;
  error?: string;
}

export interface ClaimStore {
  /**
   * Atomically claims the key: granted when nobody has, when it was released, when its holder's
   * lease ran out, or with `force`; undefined when another holder has it or the work is done.
   */
  claim(request: ClaimRequest): Promise<Claimed | undefined>;
  /** Extends the holder's lease; false when the claim is no longer this holder's. */
  renew(key: ClaimKey, holder: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Records the outcome; the key is then done for good (unless forced). */
  finish(
    key: ClaimKey,
    holder: string,
    outcome: { status: string; now: Date; result?: Record<string, unknown>; error?: string },
  ): Promise<void>;
  /** Gives the claim back, e.g. when Slack could not be reached, so a later run tries again. */
  release(key: ClaimKey, holder: string): Promise<void>;
  get(key: ClaimKey): Promise<ClaimEntry | undefined>;
  /** Newest period first; only the claims about `subject` when one is given. */
  list(kind: string, limit: number, subject?: string): Promise<ClaimEntry[]>;
}

/** The numbers a digest showed, kept for the next digest's trend. */
export interface DigestSnapshot {
  period: string;
  takenAt: Date;
  point?: number;
  /** CAS's risk counts by kind key (see domain/risk). */
  risks: Record<string, number>;
  totalRisk: number;
  /** The inventory's count of each state (domain/certificate-state); absent before the first sync and in older snapshots. */
  states?: Partial<Record<CertificateState, number>>;
}

export interface SnapshotStore {
  saveSnapshot(snapshot: DigestSnapshot): Promise<void>;
  /** The latest snapshot of a period before the given one: last period's numbers. */
  previousSnapshot(period: string): Promise<DigestSnapshot | undefined>;
  /** The last `limit` snapshots of every account together, oldest first. */
  history(limit: number): Promise<DigestSnapshot[]>;
  /** One account's numbers of a period (replacing what that period had). */
  saveAccountSnapshot(account: string, snapshot: DigestSnapshot): Promise<void>;
  /** One account's last `limit` snapshots, oldest first. */
  accountHistory(account: string, limit: number): Promise<DigestSnapshot[]>;
}

/** An action a person asked for and must confirm; kept on the server, its buttons carry only the nonce. */
export interface PendingConfirmation {
  nonce: string;
  kind: string;
  /** Slack user who asked; only they may confirm. */
  requester: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  expiresAt: Date;
}

export interface ConfirmationStore {
  save(confirmation: PendingConfirmation): Promise<void>;
  get(nonce: string): Promise<PendingConfirmation | undefined>;
}

/** Who acknowledged or snoozed a certificate's alerts (see domain/alerts). */
export interface StoredAlertState {
  account: string;
  certificateId: string;
  acknowledgedBy?: string;
  acknowledgedAt?: Date;
  snoozedBy?: string;
  snoozedUntil?: Date;
  /** The replacement whose renewal the alert messages were updated to show. */
  renewedBy?: string;
}

/** One certificate announced in an alert message, at the threshold it crossed. */
export interface AlertItem {
  account: string;
  certificateId: string;
  threshold: number;
  /** A stale-deployment alert rather than an expiry alert. */
  stale?: boolean;
}

/** An alert message as posted, so it can be rendered again and updated in place. */
export interface AlertMessage {
  channel: string;
  ts: string;
  postedAt: Date;
  mention?: string;
  items: AlertItem[];
  /** Certificates summarised in the "and N more" line. */
  omitted: number;
}

export interface AlertStore {
  states(): Promise<StoredAlertState[]>;
  state(account: string, certificateId: string): Promise<StoredAlertState | undefined>;
  /** Records the acknowledgement unless there is one: the first one wins and is returned. */
  acknowledge(account: string, certificateId: string, by: string, at: Date): Promise<StoredAlertState>;
  snooze(account: string, certificateId: string, by: string, until: Date): Promise<StoredAlertState>;
  /** Notes that the messages announcing the certificate now show its renewal. */
  markRenewed(account: string, certificateId: string, renewedBy: string): Promise<void>;
  saveMessage(message: AlertMessage): Promise<void>;
  message(channel: string, ts: string): Promise<AlertMessage | undefined>;
  /** Every message that announced the certificate. */
  messagesFor(account: string, certificateId: string): Promise<AlertMessage[]>;
}

/** A cloud resource (load balancer listener, CDN domain, …) and the certificate it serves. */
export interface DeployedResource extends ServingResource {
  account: string;
  listenerId?: string;
  https?: boolean;
}

/** How the resource listing of an account last went. */
export interface ResourceSyncState {
  lastSuccess?: Date;
  lastAttempt?: Date;
  /** The last attempt failed: why, and the RAM action to grant when it was a permission error. */
  error?: { message: string; ramAction?: string; requestId?: string };
}

/** One sync's resource listing, written aside page by page (see InventoryStaging). */
export interface ResourceStaging {
  /** Writes one page aside; a resource staged again replaces the earlier one. */
  stage(resources: readonly DeployedResource[]): Promise<void>;
  /** Swaps the staged resources in as the account's complete listing (as `replace` does), in one transaction. */
  commit(at: Date): Promise<{ resources: number }>;
  /** Drops what was staged; the resources are left as they were. */
  abort(): Promise<void>;
}

export interface ResourceStore {
  /** Opens a staging for a streaming listing of the account's resources (see InventoryStore.begin). */
  begin(account: string, options?: StagingOptions): Promise<ResourceStaging>;
  /** Replaces the account's resources with a complete listing (one transaction); absent ones are marked removed. */
  replace(account: string, resources: readonly DeployedResource[], at: Date): Promise<{ resources: number }>;
  recordFailure(account: string, at: Date, error: NonNullable<ResourceSyncState['error']>): Promise<void>;
  /** Present resources, of one account when given. */
  list(account?: string): Promise<DeployedResource[]>;
  state(account: string): Promise<ResourceSyncState>;
}

/** Facts about the store itself. */
export interface StoreInfo {
  /** When the store was created (undefined until the bot first opened it). */
  createdAt(): Promise<Date | undefined>;
  /** Records `at` as the creation time unless one is recorded; returns the recorded one. */
  recordCreation(at: Date): Promise<Date>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly info: StoreInfo;
  readonly audit: AuditLog;
  readonly claims: ClaimStore;
  readonly snapshots: SnapshotStore;
  readonly confirmations: ConfirmationStore;
  readonly inventory: InventoryStore;
  /** Lists and counts of the inventory as queries (see ./certificate-queries.ts). */
  readonly certificates: CertificateQueries;
  readonly alerts: AlertStore;
  readonly resources: ResourceStore;
  readonly probes: ProbeResultStore;
  readonly driftAlerts: DriftAlertStore;
  readonly deployments: DeploymentRequestStore;
  /** Cheap round trip for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** A certificate as the inventory keeps it: the model, and when the bot saw it. */
export interface InventoryCertificate {
  certificate: Certificate;
  firstSeen: Date;
  lastSeen: Date;
  /** Set once the certificate has disappeared from CAS; the row is kept for history. */
  removedAt?: Date;
}

/** What one sync changed, counted by the store as it writes. */
export interface InventoryChanges {
  /** Certificates present in CAS after the sync. */
  certificates: number;
  added: number;
  changed: number;
  removed: number;
}

export type SyncStatus = 'ok' | 'failed';

/** The record of one sync attempt of one account. */
export interface SyncRecord {
  /** Unique per record, in the order they were written (set by the store). */
  id?: string;
  account: string;
  startedAt: Date;
  finishedAt: Date;
  status: SyncStatus;
  /** Counts of a successful sync. */
  changes?: InventoryChanges;
  pages?: number;
  calls?: number;
  /** A failed sync: the CAS error class and message for a person (never a secret). */
  error?: { kind?: string; code?: string; message: string; requestId?: string };
}

export interface StagingOptions {
  abandonedAfterMs?: number;
}

/** The sync record a successful swap writes (the store adds the account, status and counts). */
export type SyncTiming = Omit<SyncRecord, 'account' | 'status' | 'changes' | 'error'>;

/**
 * One sync's certificates, written aside page by page as they arrive (see store/staging.ts), so a
 * sync holds only the pages in flight, whatever the account's size. Readers see none of it until
 * `commit` swaps it in with one short transaction.
 */
export interface InventoryStaging {
  /** Writes one page aside; a certificate staged again (another page, another listing) replaces the earlier one. */
  stage(certificates: readonly Certificate[]): Promise<void>;
  /**
   * Swaps the staged certificates in as the account's complete inventory (as `replace` does) in
   * one transaction, records the sync as successful, drops the staging, and returns what changed.
   */
  commit(sync: SyncTiming): Promise<InventoryChanges>;
  /** Drops what was staged; the inventory is left as it was. */
  abort(): Promise<void>;
}

export interface InventoryStore {
  /**
   * Opens a staging for a streaming sync of the account, first clearing the stagings of any
   * account that wrote no page for `abandonedAfterMs` (default STAGING_ABANDONED_MS: their syncs
   * were killed, and a late commit of theirs fails).
   */
  begin(account: string, options?: StagingOptions): Promise<InventoryStaging>;
  /**
   * Replaces the account's inventory with what one complete sync found, in one transaction:
   * new certificates are added (first_seen), present ones updated (last_seen, fields), absent
   * ones marked removed (kept, not deleted); a removed one that is back is present again.
   * Records the sync as successful and returns what changed.
   */
  replace(account: string, certificates: readonly Certificate[], sync: SyncTiming): Promise<InventoryChanges>;
  /** Records a failed sync; the inventory itself is left as it was. */
  recordFailure(
    record: Omit<SyncRecord, 'status' | 'changes'> & { error: NonNullable<SyncRecord['error']> },
  ): Promise<void>;
  /** Every certificate of the account (or of every account), removed ones only when asked. */
  list(options?: { account?: string; includeRemoved?: boolean }): Promise<InventoryCertificate[]>;
  /** The latest successful sync and the latest attempt of the account (or of any account). */
  syncState(account?: string): Promise<{ lastSuccess?: SyncRecord; lastAttempt?: SyncRecord }>;
}

/** What endpoints served at the last scheduled probe pass, one verdict per `host:port`. */
export interface ProbeResultStore {
  /** Puts one pass's verdicts in place of the previous pass's, at once. */
  replace(verdicts: readonly EndpointVerdict[]): Promise<void>;
  /** Every stored verdict, by host then port. */
  list(): Promise<EndpointVerdict[]>;
}

/** The drift alerts posted (see domain/drift-alerts): one per (endpoint, served fingerprint, verdict). */
export interface DriftAlertStore {
  /** Records posted alerts; a key already recorded is left as it was. */
  save(alerts: readonly DriftAlertRecord[]): Promise<void>;
  /** The alerts of one endpoint (oldest first), or those not resolved yet of every endpoint. */
  list(filter: { endpoint: Endpoint } | { open: true }): Promise<DriftAlertRecord[]>;
  /** The alerts one message announced. */
  message(channel: string, ts: string): Promise<DriftAlertRecord[]>;
  /** Records the acknowledgement on the endpoint's unresolved alerts that have none (the first one wins); returns them after. */
  acknowledge(endpoint: Endpoint, by: string, at: Date): Promise<DriftAlertRecord[]>;
  /** Snoozes the endpoint's unresolved alerts until `until`; returns them after. */
  snooze(endpoint: Endpoint, by: string, until: Date): Promise<DriftAlertRecord[]>;
  /** Notes that a later probe found the alert fixed or changed (once: a resolved alert stays as it was). */
  resolve(key: DriftAlertKey, at: Date, resolution: DriftResolution): Promise<boolean>;
  /** Takes a resolution back (its message could not be updated to show it). */
  reopen(key: DriftAlertKey): Promise<void>;
}

export type { CertificateFilter } from '../domain/certificate-filter';

/** A certificate as the list queries return it: what the inventory derived, judged at the query's `now`. */
export interface StoredCertificate {
  certificate: Certificate;
  firstSeen: Date;
  /** The one state at `now`. */
  state: CertificateState;
  /** The replacement, only while it replaces this certificate at `now`. */
  replacedBy?: { certificate: Certificate; firstSeen: Date };
  /** Present resources of the account serving it; undefined while the account's resources were never listed. */
  servedBy?: number;
  /** Deployment at `now` and the resources serving it (`unknown` with none while never listed). */
  deployment: { state: DeploymentState; resources: DeployedResource[] };
}

export interface CertificatePage {
  /** Most urgent first: inUrgencyOrder, ties by account then id (the order of InventoryStore.list). */
  rows: StoredCertificate[];
  /** How many certificates match the filter (every page together). */
  total: number;
}

/** Days left at `now` as the inventory metrics bucket them (src/ops/inventory-metrics.ts). */
export type DaysBucket = 'expired' | 'le_7' | 'le_30' | 'gt_30' | 'unknown';

export interface CertificateCount {
  account: string;
  state: CertificateState;
  deployment: DeploymentState;
  days: DaysBucket;
  n: number;
}

export interface ResourceCount {
  account: string;
  cloud?: string;
  product?: string;
  n: number;
}

/**
 * The inventory's lists and counts as queries (ORDER BY … LIMIT, COUNT … GROUP BY) over what each
 * sync derived (see ./derivation.ts): no certificate beyond the page is read, no replacement is
 * worked out at read time, and a day boundary needs no reload (states are judged at `now`).
 * Present certificates only.
 */
export interface CertificateQueries {
  /** The matching certificates in urgency order, `limit` of them from `offset` (default: all), and how many match. */
  select(
    filter: CertificateFilter,
    now: Date,
    page?: {
      offset?: number;
      limit?: number;
      order?: 'urgency' | 'key';
      /** How many match, when the caller knows it already (from `counts`): not counted again. */
      total?: number;
    },
  ): Promise<CertificatePage>;
  /** How many matching certificates per (account, state, deployment, days bucket); groups of none left out. */
  counts(filter: CertificateFilter, now: Date): Promise<CertificateCount[]>;
  /** Present resources per (account, cloud, product), of these accounts (unset: every account). */
  resourceCounts(accounts?: readonly string[]): Promise<ResourceCount[]>;
}
