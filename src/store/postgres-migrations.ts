import type { PoolClient } from 'pg';
import { POSTGRES_MIGRATIONS as MIGRATIONS } from './migrations';
import { StoreError } from './types';

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
