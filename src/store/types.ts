/** What the bot keeps between restarts: the /cert-assign audit log and the digest history. */

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

export type DigestStatus = 'claimed' | 'posted' | 'failed';

/** One (channel, period) row of the digest ledger. */
export interface DigestLedgerEntry {
  channel: string;
  /** The period's scheduled time, ISO 8601 UTC. */
  period: string;
  status: DigestStatus;
  claimedBy: string;
  claimedAt: Date;
  finishedAt?: Date;
  /** Slack ts of the posted digest or failure notice. */
  messageTs?: string;
  error?: string;
}

/** The numbers a digest showed, kept for next week's trend. */
export interface DigestSnapshot {
  period: string;
  takenAt: Date;
  point?: number;
  /** Risk counts by kind key (see riskRows), zero rows included. */
  risks: Record<string, number>;
  totalRisk: number;
}

export interface ClaimRequest {
  channel: string;
  period: string;
  claimedBy: string;
  now: Date;
  /** A claim older than this whose run never finished (crashed process) may be taken over. */
  staleAfterMs: number;
  /** Post again even if the period was already posted (`digest --post --force`). */
  force?: boolean;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  recordAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(limit: number): Promise<AuditEntry[]>;
  /** Atomically claims (channel, period); false when another run holds or finished it. */
  claimDigest(request: ClaimRequest): Promise<boolean>;
  finishDigest(
    channel: string,
    period: string,
    result: { status: 'posted' | 'failed'; messageTs?: string; error?: string; now: Date },
  ): Promise<void>;
  /** Gives a claim back, e.g. when Slack could not be reached, so a later run tries again. */
  releaseDigest(channel: string, period: string, claimedBy: string): Promise<void>;
  getDigest(channel: string, period: string): Promise<DigestLedgerEntry | undefined>;
  listDigests(limit: number): Promise<DigestLedgerEntry[]>;
  saveSnapshot(snapshot: DigestSnapshot): Promise<void>;
  /** The latest snapshot of a period before the given one: last week's numbers. */
  previousSnapshot(period: string): Promise<DigestSnapshot | undefined>;
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
