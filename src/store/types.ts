/**
 * What the bot keeps between restarts, by concern: the audit log, exactly-once claims, digest
 * snapshots and pending confirmations. Each is a small interface with one implementation that
 * serves SQLite and PostgreSQL alike (see ./database.ts for the dialect differences).
 */

export type AuditOutcome = 'refused' | 'requested' | 'confirmed' | 'cancelled' | 'succeeded' | 'failed' | 'denied';

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

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<AuditEntry[]>;
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
  /** Newest period first. */
  list(kind: string, limit: number): Promise<ClaimEntry[]>;
}

/** The numbers a digest showed, kept for the next digest's trend. */
export interface DigestSnapshot {
  period: string;
  takenAt: Date;
  point?: number;
  /** Risk counts by kind key (see domain/risk). */
  risks: Record<string, number>;
  totalRisk: number;
}

export interface SnapshotStore {
  saveSnapshot(snapshot: DigestSnapshot): Promise<void>;
  /** The latest snapshot of a period before the given one: last period's numbers. */
  previousSnapshot(period: string): Promise<DigestSnapshot | undefined>;
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

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly audit: AuditLog;
  readonly claims: ClaimStore;
  readonly snapshots: SnapshotStore;
  readonly confirmations: ConfirmationStore;
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
