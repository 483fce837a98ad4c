import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Certificate } from '../domain/certificate';
import { daysLeft } from '../domain/expiry';
import { findReplacements } from '../domain/replacement';
import { type Database, type Dialect, readJson, type Tables, writeTime, writeTransaction } from './database';

/**
 * What lists sort and filter by, derived once per sync by the process that synced and kept with
 * each certificate, so that every list is a query and no reader works out a replacement:
 *
 * - `end_day`: the end date as a UTC day number (days since 1970-01-01), so that
 *   daysLeft(endDate, now) == end_day - todayNumber(now) exactly; NULL when unknown.
 * - `replaced_by` / `replaced_until_day`: the replacement findReplacements chooses and its end day.
 *   The choice does not depend on the day: findReplacements at `now` picks the latest-ending
 *   covering certificate among those still valid at `now`, which is the latest-ending one of all
 *   while that one is valid, and none once it has ended (every other one ended before it). So it
 *   is worked out once with every certificate counted as valid (ANY_DAY), and "replaced at `now`"
 *   is `replaced_until_day >= todayNumber(now)`, for any `now`: a day boundary needs no reload.
 * - `served_by`: present resources of the account serving the certificate; NULL while the
 *   account's resources were never listed (deployment unknown).
 *
 * Replacements are derived inside the certificate swap's transaction (readers never see a new
 * inventory with the old replacements) from a lean read of the account's rows (only the columns
 * the rule needs, read in batches), and only rows whose values changed are written. `served_by`
 * is one UPDATE, after every certificate swap and every resource swap.
 */

/** Bumped when a rule above changes, so stores derived by an older rule are derived again. */
export const DERIVATION_VERSION = 1;

const DAY_MS = 86_400_000;
/** A day before every end date CAS can send (years are four digits): every certificate counts as valid. */
const ANY_DAY = new Date('0000-01-01T00:00:00.000Z');
const EPOCH = new Date(0);
/** Rows per read of the lean columns and per write of changed values. */
const READ_BATCH = 1_000;
const WRITE_BATCH = 1_000;

/** The end date's UTC day number (days since 1970-01-01), undefined when unknown or unreadable. */
export function dayNumber(endDate: string | undefined): number | undefined {
  return daysLeft(endDate, EPOCH);
}

/** Today's UTC day number at `now`: daysLeft(endDate, now) == dayNumber(endDate) - todayNumber(now). */
export function todayNumber(now: Date): number {
  return Math.floor(now.getTime() / DAY_MS);
}

/**
 * Certificates whose replacements one pass works out at most (about: a candidate serving names of
 * several zones takes part in each of their passes). Bounds the derivation's memory, whatever the
 * account's size: ~1,000 certificates as objects and findReplacements' index over them (at 18,400
 * certificates, 1,000 a pass added 8 MB to the sync's peak RSS, 5,000 a pass 23 MB; at 92,000 the
 * derivation took 2.4-3.4 s inside the swap).
 */
export const ROWS_PER_PASS = 1_000;

/**
 * Works out the account's replacements and end days and writes those that changed, in bounded
 * memory, by passes over parts of the account that cannot affect each other:
 *
 * Any replacement of a certificate covers each of its names, so it covers the first one, n0
 * (lowercased, in sorted order, as findReplacements compares them); a name covering n0 is n0
 * itself or the wildcard of n0's parent, and both have the same zone key (zoneKey: a wildcard's
 * parent, else the parent). So a certificate is worked out in the pass of hash(zoneKey(n0)), with
 * every candidate that has a name of that pass's zone keys: findReplacements over that part
 * gives each of its certificates the answer it gives over the whole account.
 *
 * A first lean pass reads the names (transiently), and keeps per row only its id, the values
 * stored now and the passes it takes part in (tens of bytes a certificate: this part still grows
 * with the account); each pass then reads its rows by id. Measured at 92,000 certificates, the
 * derivation still raised a process's peak RSS by 65-95 MB, most of it during that first pass.
 */
export async function deriveReplacements(
  trx: Kysely<Tables>,
  dialect: Dialect,
  account: string,
  rowsPerPass = ROWS_PER_PASS,
): Promise<void> {
  const [{ n }] = await trx
    .selectFrom('certificates')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('account', '=', account)
    .where('removed_at', 'is', null)
    .execute();
  const passes = Math.max(1, Math.ceil(Number(n) / Math.max(1, rowsPerPass)));
  const ids: string[] = [];
  const owners: number[] = [];
  const storedBy: (string | null)[] = [];
  let storedEnd: Int32Array = new Int32Array(READ_BATCH);
  let storedUntil: Int32Array = new Int32Array(READ_BATCH);
  let newEnd: Int32Array = new Int32Array(READ_BATCH);
  /** Row positions taking part in each pass. */
  const members: number[][] = Array.from({ length: passes }, () => []);
  // Reused for every row: the first pass reads every certificate of the account, and what it
  // allocates per row (a sorted copy of the names, a Set of passes, a Date per end date) was
  // most of the derivation's garbage, promoted to the old generation by the passes' own work.
  const seen = new Set<number>();
  const endDays = dayNumbers();
  let after: string | undefined;
  for (;;) {
    let query = trx
      .selectFrom('certificates')
      .select(['id', 'common_name', 'sans', 'end_date', 'status', 'end_day', 'replaced_by', 'replaced_until_day'])
      .where('account', '=', account)
      .where('removed_at', 'is', null);
    if (after !== undefined) query = query.where('id', '>', after);
    const batch = await query.orderBy('id').limit(READ_BATCH).execute();
    if (ids.length + batch.length > storedEnd.length) {
      const size = ids.length + batch.length;
      [storedEnd, storedUntil, newEnd] = [grown(storedEnd, size), grown(storedUntil, size), grown(newEnd, size)];
    }
    for (const row of batch) {
      const at = ids.length;
      ids.push(row.id);
      storedBy.push(row.replaced_by);
      storedEnd[at] = row.end_day === null ? NO_DAY : Number(row.end_day);
      storedUntil[at] = row.replaced_until_day === null ? NO_DAY : Number(row.replaced_until_day);
      const endDay = endDays.of(row.end_date);
      newEnd[at] = endDay ?? NO_DAY;
      // A candidate (findReplacements: end known, not revoked) takes part in its names' passes.
      const candidate = endDay !== undefined && row.status !== REVOKED;
      const owner = passesOfNames(row.common_name, readJson<unknown[]>(row.sans), passes, candidate ? seen : undefined);
      owners.push(owner);
      members[owner].push(at);
      if (candidate) for (const pass of seen) if (pass !== owner) members[pass].push(at);
    }
    if (batch.length < READ_BATCH) break;
    after = batch[batch.length - 1].id;
  }

  const changed: [string, number | null, string | null, number | null, string][] = [];
  const flush = async (all: boolean) => {
    while (changed.length >= (all ? 1 : WRITE_BATCH))
      await writeChanged(trx, dialect, account, changed.splice(0, WRITE_BATCH));
  };
  for (let pass = 0; pass < passes; pass++) {
    const positions = members[pass];
    members[pass] = [];
    const certificates: Certificate[] = [];
    const endDates = new Map<string, string>();
    for (let start = 0; start < positions.length; start += IDS_PER_READ) {
      const chunk = positions.slice(start, start + IDS_PER_READ);
      const rows = await trx
        .selectFrom('certificates')
        .select(['id', 'common_name', 'sans', 'end_date', 'expired', 'status'])
        .where('account', '=', account)
        .where(
          idIn(
            dialect,
            chunk.map((at) => ids[at]),
          ),
        )
        .execute();
      for (const row of rows) {
        const sans = readJson<string[]>(row.sans);
        const commonName =
          row.common_name === null ? undefined : (sans.find((san) => san === row.common_name) ?? row.common_name);
        // One string per distinct end date: the rows live until the rule has run.
        let endDate = row.end_date === null ? undefined : endDates.get(row.end_date);
        if (row.end_date !== null && endDate === undefined) endDates.set(row.end_date, (endDate = row.end_date));
        certificates.push({
          account,
          id: row.id,
          commonName,
          sans,
          endDate,
          expired: Number(row.expired) === 1,
          uploaded: false,
          status: row.status === REVOKED ? REVOKED : undefined,
        });
      }
    }
    const replacements = findReplacements(certificates, ANY_DAY);
    certificates.length = 0;
    for (const at of positions) {
      if (owners[at] !== pass) continue;
      const replacement = replacements.get(ids[at]);
      const replacedBy = replacement?.id ?? null;
      const untilDay = replacement ? (endDays.of(replacement.endDate ?? null) ?? NO_DAY) : NO_DAY;
      if (newEnd[at] !== storedEnd[at] || replacedBy !== storedBy[at] || untilDay !== storedUntil[at])
        changed.push([ids[at], orNull(newEnd[at]), replacedBy, orNull(untilDay), account]);
    }
    await flush(false);
  }
  await flush(true);
}

/** Rows read by id at once. */
const IDS_PER_READ = 500;

/**
 * `id` is one of `ids`: PostgreSQL takes them as one array parameter (a statement of 500
 * parameters is planned anew each time: 5.3 s of passes at 50,000 certificates), SQLite as a list.
 */
function idIn(dialect: Dialect, ids: readonly string[]): RawBuilder<boolean> {
  return dialect === 'postgres'
    ? sql<boolean>`id = ANY(CAST(${ids} AS text[]))`
    : sql<boolean>`id IN (${sql.join(ids)})`;
}

/**
 * The pass of a certificate: that of its first name as findReplacements compares them
 * (lowercased, in sorted order: the least in UTF-16 code units, as sort() orders strings); 0
 * without names. When `passes` is given, it is cleared and filled with the pass of every name.
 */
function passesOfNames(
  commonName: string | null,
  sans: readonly unknown[],
  count: number,
  passes?: Set<number>,
): number {
  passes?.clear();
  let first: string | undefined;
  const visit = (name: unknown) => {
    if (typeof name !== 'string') return;
    const lower = name.toLowerCase();
    if (first === undefined || lower < first) first = lower;
    passes?.add(passOf(lower, count));
  };
  visit(commonName);
  for (const san of sans) visit(san);
  return first === undefined ? 0 : passOf(first, count);
}

/**
 * dayNumber, remembered per end date: an account's certificates share a few thousand end dates,
 * and each reading makes a Date and a match. Bounded, in case end dates carry times of day.
 */
function dayNumbers(): { of(endDate: string | null): number | undefined } {
  const known = new Map<string, number | undefined>();
  return {
    of(endDate) {
      if (endDate === null) return undefined;
      if (known.has(endDate)) return known.get(endDate);
      if (known.size >= 10_000) known.clear();
      const day = dayNumber(endDate);
      known.set(endDate, day);
      return day;
    },
  };
}

/**
 * The zone a name belongs to: a wildcard's parent (`*.example.com` → `example.com`), else the
 * parent (`a.example.com` → `example.com`), else the name itself. A name and every name that
 * covers it (itself, the wildcard of its parent) have the same zone.
 */
export function zoneKey(name: string): string {
  if (name.length > 2 && name.startsWith('*.')) return name.slice(2);
  const dot = name.indexOf('.');
  return dot > 0 && dot + 1 < name.length ? name.slice(dot + 1) : name;
}

/** The pass of a name's zone (FNV-1a over its UTF-16 code units). */
function passOf(name: string, passes: number): number {
  if (passes === 1) return 0;
  const zone = zoneKey(name);
  let hash = 0x811c9dc5;
  for (let i = 0; i < zone.length; i++) hash = Math.imul(hash ^ zone.charCodeAt(i), 0x01000193) >>> 0;
  return hash % passes;
}

async function writeChanged(
  trx: Kysely<Tables>,
  dialect: Dialect,
  account: string,
  changed: readonly [string, number | null, string | null, number | null, string][],
): Promise<void> {
  const values = JSON.stringify(changed);
  if (dialect === 'postgres')
    await sql`
      UPDATE certificates AS c
      SET end_day = v.e, replaced_by = v.b, replaced_until_day = v.u
      FROM (SELECT x->>0 AS i, CAST(x->>1 AS integer) AS e, x->>2 AS b, CAST(x->>3 AS integer) AS u
            FROM jsonb_array_elements(CAST(${values} AS jsonb)) AS x) AS v
      WHERE c.account = ${account} AND c.id = v.i`.execute(trx);
  else
    // The account comes with each value, not as a constant: given `account = ?`, SQLite's
    // planner scans the account's rows once per value (47 s a batch at 100,000) instead of
    // looking each value up by the key.
    await sql`
      UPDATE certificates
      SET end_day = v.e, replaced_by = v.b, replaced_until_day = v.u
      FROM (SELECT value->>0 AS i, value->>1 AS e, value->>2 AS b, value->>3 AS u, value->>4 AS a
            FROM json_each(${values})) AS v
      WHERE certificates.account = v.a AND certificates.id = v.i`.execute(trx);
}

const REVOKED = 'REVOKED';
/** No day: end days are within ±3.6 million of 1970 (four-digit years), far from this. */
const NO_DAY = -0x80000000;
const orNull = (day: number): number | null => (day === NO_DAY ? null : day);

function grown(array: Int32Array, size: number): Int32Array {
  const next = new Int32Array(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}

/**
 * How many present resources of the account serve each of its certificates (NULL while its
 * resources were never listed), in one UPDATE that writes only the rows whose count changed.
 */
export async function countServedBy(trx: Kysely<Tables>, account: string): Promise<void> {
  const served = sql`CASE WHEN EXISTS (
      SELECT 1 FROM resource_syncs s WHERE s.account = certificates.account AND s.last_success IS NOT NULL)
    THEN (SELECT count(*) FROM cloud_resources r
          WHERE r.account = certificates.account AND r.certificate_id = certificates.id AND r.removed_at IS NULL)
    END`;
  await sql`
    UPDATE certificates SET served_by = ${served}
    WHERE account = ${account} AND removed_at IS NULL AND served_by IS DISTINCT FROM ${served}`.execute(trx);
}

/** Everything derived of one account, recorded as done by the current rules. */
export async function deriveAccount(trx: Kysely<Tables>, dialect: Dialect, account: string): Promise<void> {
  await deriveReplacements(trx, dialect, account);
  await countServedBy(trx, account);
  const values = { version: DERIVATION_VERSION, derived_at: writeTime(new Date()) };
  await trx
    .insertInto('inventory_derivations')
    .values({ account, ...values })
    .onConflict((oc) => oc.column('account').doUpdateSet(values))
    .execute();
}

/**
 * Derives the accounts whose rows were written before these columns existed (or by older
 * rules): once per store instance, before its first list query. An account's next sync derives
 * it too; whichever comes first does the work, under the account's write lock.
 */
export function derivedOnce(database: Database): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= deriveMissing(database).catch((error: unknown) => {
      done = undefined;
      throw error;
    });
    return done;
  };
}

async function deriveMissing(database: Database): Promise<void> {
  const { db } = database;
  const pending = await db
    .selectFrom('certificates as c')
    .select('c.account')
    .distinct()
    .where('c.removed_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('inventory_derivations as d')
            .select('d.account')
            .whereRef('d.account', '=', 'c.account')
            .where('d.version', '=', DERIVATION_VERSION),
        ),
      ),
    )
    .execute();
  for (const { account } of pending)
    await writeTransaction(
      database,
      async (trx) => {
        // Another process may have derived it meanwhile.
        const done = await trx
          .selectFrom('inventory_derivations')
          .select('account')
          .where('account', '=', account)
          .where('version', '=', DERIVATION_VERSION)
          .executeTakeFirst();
        if (!done) await deriveAccount(trx, database.dialect, account);
      },
      { lock: `inventory:${account}` },
    );
}
