import { Kysely, PostgresDialect } from 'kysely';
import { Pool, type PoolClient } from 'pg';
import { composeStore } from './compose';
import type { Tables } from './database';
import { startupError } from './postgres-errors';
import { migratePostgres } from './postgres-migrations';
import { parsePostgresUrl } from './postgres-url';
import type { Store } from './types';

export interface PostgresStoreOptions {
  /**
   * Schema for the store's tables, created if missing. Without it, a `search_path` in the URL's
   * `options` names the schema, else the server's default search_path applies.
   */
  schema?: string;
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
  // A dropped connection (server restart, failover, a killed backend) fails the query in flight,
  // which reports its own error, and the pool replaces it. Without listeners, the 'error' event
  // of an idle connection (on the pool) or of one in use (on its client) would end the process.
  pool.on('error', () => undefined);
  pool.on('connect', (connection) => connection.on('error', () => undefined));

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
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return composeStore({
    db,
    dialect: 'postgres',
    async close() {
      // Kysely ends the pool it was given.
      if (!pool.ending) await db.destroy();
    },
  });
}
