import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  type AuditEntry,
  type ClaimRequest,
  type DigestLedgerEntry,
  type DigestSnapshot,
  type Store,
  StoreError,
} from './types';

/** Schema versions, applied in order; `PRAGMA user_version` records how far a file has come. */
const MIGRATIONS: string[] = [
  `CREATE TABLE audit_log (
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
   CREATE TABLE digest_ledger (
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
   CREATE TABLE digest_snapshot (
     period TEXT PRIMARY KEY,
     taken_at TEXT NOT NULL,
     point REAL,
     risks TEXT NOT NULL,
     total_risk INTEGER NOT NULL
   );`,
];

interface LedgerRow {
  channel: string;
  period: string;
  status: DigestLedgerEntry['status'];
  claimed_by: string;
  claimed_at: string;
  finished_at: string | null;
  message_ts: string | null;
  error: string | null;
}

interface SnapshotRow {
  period: string;
  taken_at: string;
  point: number | null;
  risks: string;
  total_risk: number;
}

interface AuditRow {
  at: string;
  user_id: string;
  team_id: string | null;
  channel_id: string | null;
  action: string;
  outcome: AuditEntry['outcome'];
  details: string;
  request_id: string | null;
}

export const SQLITE_FILE_NAME = 'cert-bot.sqlite';

/**
 * Opens (creating and migrating) the store file under `dataDir`. A folder that cannot be
 * written or a file that is not a SQLite database fails here, at start-up, with a message
 * that names the file, instead of on the first digest a week later.
 */
export function openSqliteStore(dataDir: string): Store {
  const file = path.resolve(dataDir, SQLITE_FILE_NAME);
  let db: Database.Database | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // Several processes may share the file (two bot instances); wait for a lock instead of failing.
    db.pragma('busy_timeout = 5000');
    migrate(db);
    db.prepare('SELECT count(*) FROM digest_ledger').get();
  } catch (error) {
    // A file that failed to open must not stay locked by this process (tests, retries).
    if (db?.open) db.close();
    if (error instanceof StoreError)
      throw new StoreError(`Cannot open the store at ${file}: ${error.message}`, { cause: error });
    throw new StoreError(
      `Cannot open the store at ${file}: ${reason(error)}. Check that DATA_DIR is writable and that the file is a SQLite database (move it aside to start afresh).`,
      { cause: error },
    );
  }
  return new SqliteStore(db);
}

function reason(error: unknown): string {
  // Not `instanceof Error`: fs errors may come from another realm (a jest sandbox).
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

function migrate(db: Database.Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > MIGRATIONS.length)
    throw new StoreError(
      `the file has schema version ${current}, newer than this bot (${MIGRATIONS.length}); run the newer bot version, or set DATA_DIR to another folder`,
    );
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;

  constructor(private readonly db: Database.Database) {}

  async recordAudit(entry: AuditEntry): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO audit_log (at, user_id, team_id, channel_id, action, outcome, details, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.at.toISOString(),
        entry.userId,
        entry.teamId ?? null,
        entry.channelId ?? null,
        entry.action,
        entry.outcome,
        JSON.stringify(entry.details),
        entry.requestId ?? null,
      );
  }

  async listAudit(limit: number): Promise<AuditEntry[]> {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as AuditRow[];
    return rows.map((row) => ({
      at: new Date(row.at),
      userId: row.user_id,
      teamId: row.team_id ?? undefined,
      channelId: row.channel_id ?? undefined,
      action: row.action,
      outcome: row.outcome,
      details: JSON.parse(row.details) as Record<string, unknown>,
      requestId: row.request_id ?? undefined,
    }));
  }

  async claimDigest(request: ClaimRequest): Promise<boolean> {
    const staleBefore = new Date(request.now.getTime() - request.staleAfterMs).toISOString();
    const claim = this.db.transaction((): boolean => {
      const inserted = this.db
        .prepare(
          `INSERT INTO digest_ledger (channel, period, status, claimed_by, claimed_at)
           VALUES (?, ?, 'claimed', ?, ?) ON CONFLICT (channel, period) DO NOTHING`,
        )
        .run(request.channel, request.period, request.claimedBy, request.now.toISOString());
      if (inserted.changes === 1) return true;
      const takeover = this.db
        .prepare(
          `UPDATE digest_ledger SET status = 'claimed', claimed_by = ?, claimed_at = ?, finished_at = NULL,
             message_ts = NULL, error = NULL
           WHERE channel = ? AND period = ? AND (? OR (status = 'claimed' AND claimed_at < ?))`,
        )
        .run(
          request.claimedBy,
          request.now.toISOString(),
          request.channel,
          request.period,
          request.force ? 1 : 0,
          staleBefore,
        );
      return takeover.changes === 1;
    });
    // IMMEDIATE takes the write lock up front, so two processes cannot both see "free".
    return claim.immediate();
  }

  async finishDigest(
    channel: string,
    period: string,
    result: { status: 'posted' | 'failed'; messageTs?: string; error?: string; now: Date },
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE digest_ledger SET status = ?, finished_at = ?, message_ts = ?, error = ? WHERE channel = ? AND period = ?`,
      )
      .run(result.status, result.now.toISOString(), result.messageTs ?? null, result.error ?? null, channel, period);
  }

  async releaseDigest(channel: string, period: string, claimedBy: string): Promise<void> {
    this.db
      .prepare(`DELETE FROM digest_ledger WHERE channel = ? AND period = ? AND status = 'claimed' AND claimed_by = ?`)
      .run(channel, period, claimedBy);
  }

  async getDigest(channel: string, period: string): Promise<DigestLedgerEntry | undefined> {
    const row = this.db.prepare('SELECT * FROM digest_ledger WHERE channel = ? AND period = ?').get(channel, period) as
      LedgerRow | undefined;
    return row ? toLedgerEntry(row) : undefined;
  }

  async listDigests(limit: number): Promise<DigestLedgerEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM digest_ledger ORDER BY period DESC, channel LIMIT ?')
      .all(limit) as LedgerRow[];
    return rows.map(toLedgerEntry);
  }

  async saveSnapshot(snapshot: DigestSnapshot): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO digest_snapshot (period, taken_at, point, risks, total_risk) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (period) DO UPDATE SET taken_at = excluded.taken_at, point = excluded.point,
           risks = excluded.risks, total_risk = excluded.total_risk`,
      )
      .run(
        snapshot.period,
        snapshot.takenAt.toISOString(),
        snapshot.point ?? null,
        JSON.stringify(snapshot.risks),
        snapshot.totalRisk,
      );
  }

  async previousSnapshot(period: string): Promise<DigestSnapshot | undefined> {
    const row = this.db
      .prepare('SELECT * FROM digest_snapshot WHERE period < ? ORDER BY period DESC LIMIT 1')
      .get(period) as SnapshotRow | undefined;
    if (!row) return undefined;
    return {
      period: row.period,
      takenAt: new Date(row.taken_at),
      point: row.point ?? undefined,
      risks: JSON.parse(row.risks) as Record<string, number>,
      totalRisk: row.total_risk,
    };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toLedgerEntry(row: LedgerRow): DigestLedgerEntry {
  return {
    channel: row.channel,
    period: row.period,
    status: row.status,
    claimedBy: row.claimed_by,
    claimedAt: new Date(row.claimed_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : undefined,
    messageTs: row.message_ts ?? undefined,
    error: row.error ?? undefined,
  };
}
