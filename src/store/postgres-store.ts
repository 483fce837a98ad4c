import { Pool, type PoolClient } from 'pg';
import { startupError } from './postgres-errors';
import { migratePostgres } from './postgres-migrations';
import { parsePostgresUrl } from './postgres-url';
import type { AuditEntry, ClaimRequest, DigestLedgerEntry, DigestSnapshot, Store } from './types';

export interface PostgresStoreOptions {
  /**
   * Schema for the store's tables, created if missing. Without it, a `search_path` in the URL's
   * `options` names the schema, else the server's default search_path applies.
   */
  schema?: string;
}

interface LedgerRow {
  channel: string;
  period: string;
  status: DigestLedgerEntry['status'];
  claimed_by: string;
  claimed_at: Date;
  finished_at: Date | null;
  message_ts: string | null;
  error: string | null;
}

interface SnapshotRow {
  period: string;
  taken_at: Date;
  point: number | null;
  risks: Record<string, number>;
  total_risk: number;
}

interface AuditRow {
  at: Date;
  user_id: string;
  team_id: string | null;
  channel_id: string | null;
  action: string;
  outcome: AuditEntry['outcome'];
  details: Record<string, unknown>;
  request_id: string | null;
}

/**
 * Opens the store in PostgreSQL (DATABASE_URL), creating and migrating its tables. An
 * unreachable server, wrong credentials or missing rights fail here, at start-up, with a
 * StoreError naming host:port and what to check (the password never appears).
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const target = parsePostgresUrl(url, options.schema);
  const pool = new Pool({
    connectionString: target.connectionString,
    // A few replicas share one server; the bot's queries are short and rare.
    max: 4,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection (server restart, failover) is replaced by the next query, which
  // reports its own error; without a listener the pool's 'error' event would end the process.
  pool.on('error', () => undefined);

  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw startupError(target, error, 'connect');
  }
  try {
    await migratePostgres(client, target.schema);
  } catch (error) {
    client.release(true);
    await pool.end().catch(() => undefined);
    throw startupError(target, error, 'migrate');
  }
  client.release();
  return new PostgresStore(pool);
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;

  constructor(private readonly pool: Pool) {}

  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_log (at, user_id, team_id, channel_id, action, outcome, details, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [
        entry.at,
        entry.userId,
        entry.teamId ?? null,
        entry.channelId ?? null,
        entry.action,
        entry.outcome,
        JSON.stringify(entry.details),
        entry.requestId ?? null,
      ],
    );
  }

  async listAudit(limit: number): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((row) => ({
      at: row.at,
      userId: row.user_id,
      teamId: row.team_id ?? undefined,
      channelId: row.channel_id ?? undefined,
      action: row.action,
      outcome: row.outcome,
      details: row.details,
      requestId: row.request_id ?? undefined,
    }));
  }

  /**
   * One statement, so replicas need no transaction: the insert wins for the first claimant;
   * on conflict the row is locked and the takeover condition re-checked against its latest
   * version, so of several claimants of a stale row only the first sees it stale.
   */
  async claimDigest(request: ClaimRequest): Promise<boolean> {
    const staleBefore = new Date(request.now.getTime() - request.staleAfterMs);
    const { rowCount } = await this.pool.query(
      `INSERT INTO digest_ledger AS l (channel, period, status, claimed_by, claimed_at)
       VALUES ($1, $2, 'claimed', $3, $4)
       ON CONFLICT (channel, period) DO UPDATE
         SET status = 'claimed', claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at,
             finished_at = NULL, message_ts = NULL, error = NULL
         WHERE $6::boolean OR (l.status = 'claimed' AND l.claimed_at < $5)
       RETURNING 1`,
      [request.channel, request.period, request.claimedBy, request.now, staleBefore, request.force === true],
    );
    return rowCount === 1;
  }

  async finishDigest(
    channel: string,
    period: string,
    result: { status: 'posted' | 'failed'; messageTs?: string; error?: string; now: Date },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE digest_ledger SET status = $1, finished_at = $2, message_ts = $3, error = $4
       WHERE channel = $5 AND period = $6`,
      [result.status, result.now, result.messageTs ?? null, result.error ?? null, channel, period],
    );
  }

  async releaseDigest(channel: string, period: string, claimedBy: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM digest_ledger WHERE channel = $1 AND period = $2 AND status = 'claimed' AND claimed_by = $3`,
      [channel, period, claimedBy],
    );
  }

  async getDigest(channel: string, period: string): Promise<DigestLedgerEntry | undefined> {
    const { rows } = await this.pool.query<LedgerRow>(
      'SELECT * FROM digest_ledger WHERE channel = $1 AND period = $2',
      [channel, period],
    );
    return rows[0] ? toLedgerEntry(rows[0]) : undefined;
  }

  async listDigests(limit: number): Promise<DigestLedgerEntry[]> {
    const { rows } = await this.pool.query<LedgerRow>(
      'SELECT * FROM digest_ledger ORDER BY period DESC, channel LIMIT $1',
      [limit],
    );
    return rows.map(toLedgerEntry);
  }

  async saveSnapshot(snapshot: DigestSnapshot): Promise<void> {
    await this.pool.query(
      `INSERT INTO digest_snapshot (period, taken_at, point, risks, total_risk) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (period) DO UPDATE SET taken_at = EXCLUDED.taken_at, point = EXCLUDED.point,
         risks = EXCLUDED.risks, total_risk = EXCLUDED.total_risk`,
      [snapshot.period, snapshot.takenAt, snapshot.point ?? null, JSON.stringify(snapshot.risks), snapshot.totalRisk],
    );
  }

  async previousSnapshot(period: string): Promise<DigestSnapshot | undefined> {
    const { rows } = await this.pool.query<SnapshotRow>(
      'SELECT * FROM digest_snapshot WHERE period < $1 ORDER BY period DESC LIMIT 1',
      [period],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      period: row.period,
      takenAt: row.taken_at,
      point: row.point ?? undefined,
      risks: row.risks,
      totalRisk: row.total_risk,
    };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ending) await this.pool.end();
  }
}

function toLedgerEntry(row: LedgerRow): DigestLedgerEntry {
  return {
    channel: row.channel,
    period: row.period,
    status: row.status,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    finishedAt: row.finished_at ?? undefined,
    messageTs: row.message_ts ?? undefined,
    error: row.error ?? undefined,
  };
}
