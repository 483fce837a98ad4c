import type { StoreLocation } from './index';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
import { startupError } from './postgres-errors';
import { parsePostgresUrl } from './postgres-url';
import { SQLITE_FILE_NAME } from './sqlite-store';
import { StoreError } from './types';

/** What a store holds, seen without changing it. */
export type StoreState =
  /** No tables yet: the first start creates them (and, for SQLite, the folder and file). */
  | { kind: 'absent' }
  | { kind: 'current'; version: number }
  /** Older than this bot: its next start migrates it. */
  | { kind: 'behind'; version: number; latest: number }
  /** Newer than this bot: it refuses to start on it. */
  | { kind: 'ahead'; version: number; latest: number };

function stateOf(version: number, latest: number): StoreState {
  if (version === latest) return { kind: 'current', version };
  return version < latest ? { kind: 'behind', version, latest } : { kind: 'ahead', version, latest };
}

/**
 * Looks at the store `serve` would open, reading only: no folder, file, schema or table is
 * created, and nothing is migrated (`cert-bot doctor` must leave a fresh store as it found it).
 * A store that could not be opened or created at start fails here with the same kind of
 * StoreError.
 */
export async function inspectStore(config: StoreLocation): Promise<StoreState> {
  return config.DATABASE_URL ? inspectPostgres(config.DATABASE_URL) : inspectSqlite(config.DATA_DIR);
}

function inspectSqlite(dataDir: string): StoreState {
  const file = path.resolve(dataDir, SQLITE_FILE_NAME);
  if (!fs.existsSync(file)) {
    // The start creates the folders down to the file: the nearest one that exists must be a
    // folder this user can write.
    let existing = path.dirname(file);
    while (!fs.existsSync(existing)) existing = path.dirname(existing);
    if (!fs.statSync(existing).isDirectory()) throw new StoreError(`ENOTDIR: ${existing} is not a folder`);
    try {
      fs.accessSync(existing, fs.constants.W_OK);
    } catch {
      throw new StoreError(`EACCES: ${existing} is not writable by this user`);
    }
    return { kind: 'absent' };
  }
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    throw new StoreError(`EACCES: ${file} is not readable and writable by this user`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const version = Number(db.pragma('user_version', { simple: true }));
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (version === 0 && tables.n === 0) return { kind: 'absent' };
    return stateOf(version, SQLITE_MIGRATIONS.length);
  } catch (error) {
    throw new StoreError(String((error as { message?: unknown }).message ?? error), { cause: error });
  } finally {
    db?.close();
  }
}

async function inspectPostgres(url: string): Promise<StoreState> {
  const target = parsePostgresUrl(url);
  const client = new Client({ connectionString: target.connectionString, connectionTimeoutMillis: 5_000 });
  // An unanswered idle connection must not end the process; the query below reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw startupError(target, error, 'connect');
  }
  try {
    // Nothing this session runs can write.
    await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
    const { rows } = await client.query<{ migrations: string | null; may_create: boolean }>(
      `SELECT to_regclass('schema_migrations')::text AS migrations,
              CASE
                WHEN $1::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1::text)
                  THEN has_database_privilege(current_database(), 'CREATE')
                ELSE has_schema_privilege(coalesce($1::text, current_schema()), 'CREATE')
              END AS may_create`,
      [target.schema ?? null],
    );
    const { migrations, may_create: mayCreate } = rows[0];
    if (!migrations) {
      if (!mayCreate) {
        const where = target.schema ? ` in schema ${target.schema}` : '';
        const denied = `permission denied: user ${target.user} may not create the store's tables${where}`;
        throw startupError(target, Object.assign(new Error(denied), { code: '42501' }), 'migrate');
      }
      return { kind: 'absent' };
    }
    const version = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0)::int AS version FROM schema_migrations',
    );
    return stateOf(version.rows[0].version, POSTGRES_MIGRATIONS.length);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw startupError(target, error, 'migrate');
  } finally {
    await client.end().catch(() => undefined);
  }
}
