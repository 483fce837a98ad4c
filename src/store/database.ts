import type { ColumnType, Generated, Kysely } from 'kysely';

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

export interface Tables {
  audit_log: AuditLogTable;
  claims: ClaimsTable;
  digest_snapshot: DigestSnapshotTable;
  confirmations: ConfirmationsTable;
}

export type Dialect = 'sqlite' | 'postgres';

/** An open database: the query builder, which dialect it speaks, and how to close it. */
export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  close(): Promise<void>;
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
