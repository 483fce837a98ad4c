import type { PoolClient } from 'pg';
import { StoreError } from './types';

/**
 * Schema versions, applied in order; `schema_migrations` records which ones a database has.
 * Period keys and channels are compared byte-wise (COLLATE "C"), as SQLite does, so
 * "the latest earlier period" and listing order do not depend on the server's locale.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE audit_log (
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
   CREATE TABLE digest_ledger (
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
   CREATE TABLE digest_snapshot (
     period text COLLATE "C" PRIMARY KEY,
     taken_at timestamptz NOT NULL,
     point double precision,
     risks jsonb NOT NULL,
     total_risk integer NOT NULL
   );`,
];

/** First key of the advisory lock, so this bot's lock does not meet another application's. */
const LOCK_CLASS = 0x63617362; // "casb"

/**
 * Brings the schema up to date in one transaction. Replicas start together, so the whole check
 * and apply runs under a transaction-scoped advisory lock per schema: the first one migrates,
 * the others wait and then find nothing to do.
 */
export async function migratePostgres(client: PoolClient, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock($1::int, hashtext(coalesce($2::text, current_schema(), '')))`, [
      LOCK_CLASS,
      schema ?? null,
    ]);
    // The name was checked against [a-z0-9_] when the URL was read, so quoting is enough.
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0)::int AS version FROM schema_migrations',
    );
    const current = rows[0].version;
    if (current > MIGRATIONS.length)
      throw new StoreError(
        `the database has store schema version ${current}, newer than this bot (${MIGRATIONS.length}); run the newer bot version, or point DATABASE_URL at another database or schema`,
      );
    for (let version = current; version < MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version]);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;
