import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { composeStore } from './compose';
import type { Tables } from './database';
import { SQLITE_MIGRATIONS as MIGRATIONS } from './migrations';
import { type Store, StoreError } from './types';

export const SQLITE_FILE_NAME = 'cert-bot.sqlite';

/** Whether a store file exists under `dataDir` (reading commands need not create one). */
export function sqliteStoreExists(dataDir: string): boolean {
  return fs.existsSync(path.resolve(dataDir, SQLITE_FILE_NAME));
}

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
    // First, so that every later statement (switching to WAL included) waits for a lock that
    // another process holds instead of failing: several processes may share the file.
    db.pragma('busy_timeout = 5000');
    const opened = db;
    // Switching a new file to WAL needs every other connection out of the way and SQLite does
    // not always wait for that (the busy handler is skipped to avoid a deadlock), so several
    // processes opening one new file at once retry briefly instead of failing.
    whileBusy(() => opened.pragma('journal_mode = WAL'));
    whileBusy(() => migrate(opened));
    db.prepare('SELECT count(*) FROM claims').get();
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
  const handle = db;
  const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database: handle }) });
  return composeStore({
    db: kysely,
    dialect: 'sqlite',
    async close() {
      if (handle.open) await kysely.destroy();
    },
  });
}

/** Runs `work`, again after a short pause while SQLite answers SQLITE_BUSY, for up to 15 s. */
function whileBusy<T>(work: () => T): T {
  const deadline = Date.now() + 15_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      return work();
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      // Synchronous, like the rest of opening the store: nothing else runs meanwhile.
      Atomics.wait(pause, 0, 0, Math.min(25 * attempt, 250));
    }
  }
}

function reason(error: unknown): string {
  // Not `instanceof Error`: fs errors may come from another realm (a jest sandbox).
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Applies the missing schema versions. The version is read inside the same IMMEDIATE
 * transaction that applies them: it takes the write lock up front, so of two processes opening
 * a new file at once the second waits, then finds the schema current and applies nothing.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    if (current > MIGRATIONS.length)
      throw new StoreError(
        `the file has schema version ${current}, newer than this bot (${MIGRATIONS.length}); run the newer bot version, or set DATA_DIR to another folder`,
      );
    for (let version = current; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]);
    if (current !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
