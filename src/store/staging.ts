import { randomUUID } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type Database, type Tables, writeTime } from './database';
import { StoreError } from './types';

/**
 * The staging area of streaming syncs. A sync opens a staging (one row in `inventory_stagings`,
 * named by a random id), writes each page into `certificates_staged` or `cloud_resources_staged`
 * as it arrives, and at the end swaps the staged set in with one short transaction (set-based
 * statements inside the database: nothing is read back into the process). Readers only ever read
 * `certificates` and `cloud_resources`, so they see the previous inventory until that commit and
 * the new one after it.
 *
 * Why tables of their own rather than rows tagged with a generation in the inventory tables:
 * every reader, index and query of the inventory stays as it is, a staged row can never leak into
 * a list, and a sync that dies leaves nothing but rows no reader looks at.
 *
 * A staging whose sync failed is dropped at once. One whose process was killed stays until it has
 * seen no page for STAGING_ABANDONED_MS; the next sync of any account then deletes it (and rows
 * of stagings already gone). Its swap, should that process somehow resume, finds its staging gone
 * and fails instead of swapping in half a listing. Times here are the machine's wall clock, not
 * the bot's clock, since they measure how long a process has been silent.
 */
export const STAGING_ABANDONED_MS = 15 * 60_000;

export type StagingKind = 'certificates' | 'resources';

const STAGED_TABLES = ['certificates_staged', 'cloud_resources_staged'] as const;

/** Opens a staging of one account's certificates or resources, clearing abandoned ones first. */
export async function openStaging(
  database: Database,
  account: string,
  kind: StagingKind,
  abandonedAfterMs = STAGING_ABANDONED_MS,
): Promise<string> {
  await clearAbandoned(database, abandonedAfterMs);
  const id = randomUUID();
  const now = writeTime(new Date());
  await database.db
    .insertInto('inventory_stagings')
    .values({ id, account, kind, started_at: now, touched_at: now })
    .execute();
  return id;
}

/** How often a sync marks its staging alive: often enough next to STAGING_ABANDONED_MS, rarely enough to cost nothing. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Marks the staging alive before a page is written, at most once a minute (one write a page more
 * would double the statements of a sync); a staging cleared meanwhile fails the sync.
 */
export function stagingToucher(database: Database, id: string, what: string): () => Promise<void> {
  let touched = Number.NEGATIVE_INFINITY;
  return async () => {
    if (performance.now() - touched < TOUCH_EVERY_MS) return;
    const result = await database.db
      .updateTable('inventory_stagings')
      .set({ touched_at: writeTime(new Date()) })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw stagingGone(what);
    touched = performance.now();
  };
}

export function stagingGone(what: string): StoreError {
  return new StoreError(
    `the staged ${what} of this sync were cleared (no page was written for ${STAGING_ABANDONED_MS / 60_000} minutes, or the sync was already finished); the inventory was left as it was, and the next sync starts afresh`,
  );
}

/** Deletes a staging and its rows (a failed sync, or after a swap). */
export async function dropStaging(database: Database, id: string): Promise<void> {
  await database.db.deleteFrom('inventory_stagings').where('id', '=', id).execute();
  for (const table of STAGED_TABLES) await database.db.deleteFrom(table).where('staging', '=', id).execute();
}

/**
 * Deletes stagings silent for longer than `abandonedAfterMs`, and every staged row whose staging
 * is gone. A live staging's row is written before any of its pages, so its rows are never taken.
 */
async function clearAbandoned(database: Database, abandonedAfterMs: number): Promise<void> {
  const { db } = database;
  const cutoff = writeTime(new Date(Date.now() - abandonedAfterMs));
  await db.deleteFrom('inventory_stagings').where('touched_at', '<', cutoff).execute();
  for (const table of STAGED_TABLES)
    await db.deleteFrom(table).where('staging', 'not in', db.selectFrom('inventory_stagings').select('id')).execute();
}

/** A time as a parameter in a SELECT list: PostgreSQL must be told it is a timestamptz, SQLite keeps the text. */
export function timeValue(database: Database, at: Date): RawBuilder<string> {
  const text = writeTime(at);
  return database.dialect === 'postgres' ? sql<string>`CAST(${text} AS timestamptz)` : sql<string>`${text}`;
}

/**
 * How a staging ends, the same for certificates and resources: swapped in once (a second
 * commit, or one after an abort, is refused) and dropped either way; an abandoned one is
 * cleared by a later sync.
 */
export function stagingEnd<A, R>(
  database: Database,
  staging: string,
  what: StagingKind,
  swapIn: (at: A) => Promise<R>,
): { readonly finished: boolean; commit(at: A): Promise<R>; abort(): Promise<void> } {
  let finished = false;
  return {
    get finished() {
      return finished;
    },
    async commit(at) {
      if (finished) throw stagingGone(what);
      finished = true;
      try {
        return await swapIn(at);
      } finally {
        await dropStaging(database, staging).catch(() => undefined);
      }
    },
    async abort() {
      finished = true;
      await dropStaging(database, staging);
    },
  };
}

/**
 * The set-based part of a swap, the same for certificates and resources, inside the caller's
 * write transaction: refuses a staging already gone (cleared as abandoned, or swapped in), runs
 * `measure` on the rows before they change (what the certificate sync counts), marks the present
 * rows of the account that were not staged as removed, upserts every staged row as present
 * (fields and last_seen; first_seen stays, so a row that is back keeps when it first appeared),
 * and deletes the staging row before the commit, so one staging can never be swapped in twice.
 */
export async function swapStaged<T>(
  trx: Kysely<Tables>,
  swap: {
    kind: StagingKind;
    account: string;
    staging: string;
    /** The swap's time, as timeValue gives it. */
    at: RawBuilder<string>;
    /** Every staged column written to the inventory table (the key and times aside). */
    columns: readonly string[];
  },
  measure: () => Promise<T>,
): Promise<{ measured: T; removed: number }> {
  const { account, staging, at } = swap;
  const [table, staged] =
    swap.kind === 'certificates'
      ? [sql.table('certificates'), sql.table('certificates_staged')]
      : [sql.table('cloud_resources'), sql.table('cloud_resources_staged')];
  const alive = await trx.selectFrom('inventory_stagings').select('id').where('id', '=', staging).executeTakeFirst();
  if (!alive) throw stagingGone(swap.kind);
  const measured = await measure();
  const fields = sql.raw(swap.columns.join(', '));
  const stagedFields = sql.raw(swap.columns.map((column) => `s.${column}`).join(', '));
  const updates = sql.raw(swap.columns.map((column) => `${column} = excluded.${column}`).join(', '));
  const removed = await sql`
    UPDATE ${table} SET removed_at = ${at}
    WHERE account = ${account} AND removed_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM ${staged} s WHERE s.staging = ${staging} AND s.id = ${table}.id)`.execute(trx);
  await sql`
    INSERT INTO ${table} (account, id, ${fields}, first_seen, last_seen)
    SELECT CAST(${account} AS TEXT), s.id, ${stagedFields}, ${at}, ${at}
    FROM ${staged} s WHERE s.staging = ${staging}
    ON CONFLICT (account, id) DO UPDATE SET ${updates}, last_seen = excluded.last_seen, removed_at = NULL`.execute(trx);
  await trx.deleteFrom('inventory_stagings').where('id', '=', staging).execute();
  return { measured, removed: Number(removed.numAffectedRows ?? 0) };
}
