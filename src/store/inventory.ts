import { type Insertable, type Selectable, sql } from 'kysely';
import type { Certificate } from '../domain/certificate';
import {
  type CertificatesStagedTable,
  type CertificatesTable,
  type Database,
  type InventorySyncsTable,
  readJson,
  readTime,
  writeJson,
  writeTime,
  writeTransaction,
} from './database';
import { deriveAccount, dayNumber } from './derivation';
import { openStaging, stagingEnd, stagingGone, stagingToucher, swapStaged, timeValue } from './staging';
import {
  type InventoryCertificate,
  type InventoryChanges,
  type InventoryStaging,
  type InventoryStore,
  type StagingOptions,
  StoreError,
  type SyncRecord,
  type SyncTiming,
} from './types';

/**
 * Rows per multi-row statement: 500 rows of 19 columns are 9,500 parameters, well under SQLite's
 * limit (32,766) and PostgreSQL's (65,535), and few enough statements for 50,000 certificates.
 */
const ROWS_PER_STATEMENT = 500;

/** The columns that hold the Certificate model's fields (the key and the times aside). */
type FieldColumns = Omit<Insertable<CertificatesTable>, 'account' | 'id' | 'first_seen' | 'last_seen' | 'removed_at'>;
export type CertificateRow = Selectable<CertificatesTable>;
type SyncRow = Selectable<InventorySyncsTable>;

const FIELD_COLUMNS = [
  'certificate_id',
  'instance_id',
  'name',
  'common_name',
  'sans',
  'issuer',
  'serial_no',
  'fingerprint',
  'start_date',
  'end_date',
  'expired',
  'uploaded',
  'status',
  'resource_group_id',
] as const satisfies readonly (keyof FieldColumns)[];

/** What is staged with each certificate: its fields, and its end day (derived from end_date, so never compared). */
const STAGED_COLUMNS = [...FIELD_COLUMNS, 'end_day'] as const;

/**
 * The certificate inventory: one row per certificate of an account, replaced by each complete
 * sync (staged page by page, then swapped in with one transaction: see ./staging.ts), and the
 * record of every sync attempt.
 */
export function inventoryStore(database: Database): InventoryStore {
  const { db } = database;

  const begin = async (account: string, options: StagingOptions = {}): Promise<InventoryStaging> => {
    account = storable(account);
    const staging = await openStaging(database, account, 'certificates', options.abandonedAfterMs);
    const touch = stagingToucher(database, staging, 'certificates');
    const end = stagingEnd(database, staging, 'certificates', (sync: SyncTiming) =>
      swap(database, account, staging, sync),
    );
    return {
      async stage(certificates) {
        if (end.finished) throw stagingGone('certificates');
        // Merged by id, the last one winning (one statement may not write a key twice).
        const rows = new Map<string, Insertable<CertificatesStagedTable>>();
        for (const certificate of certificates) {
          if (storable(certificate.account) !== account)
            throw new StoreError(
              `certificate ${certificate.id} belongs to account ${certificate.account}, not to ${account} whose inventory is being replaced`,
            );
          const id = storable(certificate.id);
          rows.delete(id);
          rows.set(id, { staging, id, ...fieldColumns(certificate), end_day: dayNumber(certificate.endDate) ?? null });
        }
        if (rows.size === 0) return;
        await touch();
        if (database.dialect === 'postgres') await stagePostgres(database, staging, [...rows.values()]);
        else
          for (const chunk of chunks([...rows.values()]))
            await db
              .insertInto('certificates_staged')
              .values(chunk)
              .onConflict((oc) =>
                oc.columns(['staging', 'id']).doUpdateSet((eb) => ({
                  certificate_id: eb.ref('excluded.certificate_id'),
                  instance_id: eb.ref('excluded.instance_id'),
                  name: eb.ref('excluded.name'),
                  common_name: eb.ref('excluded.common_name'),
                  sans: eb.ref('excluded.sans'),
                  issuer: eb.ref('excluded.issuer'),
                  serial_no: eb.ref('excluded.serial_no'),
                  fingerprint: eb.ref('excluded.fingerprint'),
                  start_date: eb.ref('excluded.start_date'),
                  end_date: eb.ref('excluded.end_date'),
                  expired: eb.ref('excluded.expired'),
                  uploaded: eb.ref('excluded.uploaded'),
                  status: eb.ref('excluded.status'),
                  resource_group_id: eb.ref('excluded.resource_group_id'),
                  end_day: eb.ref('excluded.end_day'),
                })),
              )
              .execute();
      },
      commit: end.commit,
      abort: end.abort,
    };
  };

  return {
    begin,

    async replace(account, certificates, sync) {
      for (const certificate of certificates)
        if (storable(certificate.account) !== storable(account))
          throw new StoreError(
            `certificate ${certificate.id} belongs to account ${certificate.account}, not to ${account} whose inventory is being replaced`,
          );
      const staging = await begin(account);
      try {
        for (let start = 0; start < certificates.length; start += ROWS_PER_STATEMENT)
          await staging.stage(certificates.slice(start, start + ROWS_PER_STATEMENT));
      } catch (error) {
        await staging.abort().catch(() => undefined);
        throw error;
      }
      return staging.commit(sync);
    },

    async recordFailure(record) {
      await db
        .insertInto('inventory_syncs')
        .values({
          ...syncColumns({ ...record, status: 'failed' }),
          error_kind: nullableText(record.error.kind),
          error_code: nullableText(record.error.code),
          error_message: storable(record.error.message),
          request_id: nullableText(record.error.requestId),
        })
        .execute();
    },

    async list(options = {}) {
      let query = db.selectFrom('certificates').selectAll();
      if (options.account !== undefined) query = query.where('account', '=', storable(options.account));
      if (!options.includeRemoved) query = query.where('removed_at', 'is', null);
      const rows = await query.orderBy('account').orderBy('id').execute();
      return rows.map((row): InventoryCertificate => ({
        certificate: certificateOf(row),
        firstSeen: readTime(row.first_seen),
        lastSeen: readTime(row.last_seen),
        removedAt: readTime(row.removed_at),
      }));
    },

    async syncState(account) {
      // One statement, so both answers come from the same snapshot of the table.
      const latest = (successOnly: boolean) => {
        let query = db.selectFrom('inventory_syncs').select('id');
        if (account !== undefined) query = query.where('account', '=', storable(account));
        if (successOnly) query = query.where('status', '=', 'ok');
        return query.orderBy('finished_at', 'desc').orderBy('id', 'desc').limit(1);
      };
      const rows = await db
        .selectFrom('inventory_syncs')
        .selectAll()
        .where((eb) => eb.or([eb('id', 'in', latest(true)), eb('id', 'in', latest(false))]))
        .execute();
      const newestFirst = rows
        .map((row) => ({ row, finished: readTime(row.finished_at).getTime(), order: Number(row.id) }))
        .sort((a, b) => b.finished - a.finished || b.order - a.order)
        .map(({ row }) => row);
      const success = newestFirst.find((row) => row.status === 'ok');
      return {
        lastSuccess: success ? syncRecordOf(success) : undefined,
        lastAttempt: newestFirst.length > 0 ? syncRecordOf(newestFirst[0]) : undefined,
      };
    },
  };
}

/** How jsonb_to_recordset reads a staged row (the types of `certificates_staged`). */
const RECORD_TYPES: Record<(typeof STAGED_COLUMNS)[number], string> = {
  certificate_id: 'text',
  instance_id: 'text',
  name: 'text',
  common_name: 'text',
  sans: 'jsonb',
  issuer: 'text',
  serial_no: 'text',
  fingerprint: 'text',
  start_date: 'text',
  end_date: 'text',
  expired: 'smallint',
  uploaded: 'smallint',
  status: 'text',
  resource_group_id: 'text',
  end_day: 'integer',
};

/**
 * One page into PostgreSQL's staging as one jsonb parameter, in a statement whose text is the same
 * for every page: staging 50,000 certificates took 3 s this way and 8 s as multi-row VALUES of 16
 * parameters a row (the same busy machine).
 */
async function stagePostgres(
  database: Database,
  staging: string,
  rows: readonly Insertable<CertificatesStagedTable>[],
): Promise<void> {
  const records = rows.map((row) => ({ ...row, staging: undefined, sans: JSON.parse(row.sans) as unknown }));
  const fields = sql.raw(STAGED_COLUMNS.join(', '));
  const recordFields = sql.raw(STAGED_COLUMNS.map((column) => `r.${column}`).join(', '));
  const types = sql.raw(STAGED_COLUMNS.map((column) => `${column} ${RECORD_TYPES[column]}`).join(', '));
  const updates = sql.raw(STAGED_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', '));
  await sql`
    INSERT INTO certificates_staged (staging, id, ${fields})
    SELECT ${staging}, r.id, ${recordFields}
    FROM jsonb_to_recordset(CAST(${JSON.stringify(records)} AS jsonb)) AS r(id text, ${types})
    ON CONFLICT (staging, id) DO UPDATE SET ${updates}`.execute(database.db);
}

/**
 * The swap of a streaming sync, in one transaction and set-based (the database compares and
 * copies; nothing is read into the process but the lean columns the derivation needs): counts
 * what is new and what changed against the present rows, swaps the staged rows in (see
 * swapStaged), derives the account's replacements and resource counts (see ./derivation.ts),
 * and records the sync. Under the account's write lock, so two syncs of one account swap one
 * after the other, each a complete listing.
 */
async function swap(database: Database, account: string, staging: string, sync: SyncTiming): Promise<InventoryChanges> {
  const differs = sql.raw(FIELD_COLUMNS.map((column) => `s.${column} IS DISTINCT FROM c.${column}`).join(' OR '));
  return writeTransaction(
    database,
    async (trx) => {
      const { measured: rows, removed } = await swapStaged(
        trx,
        {
          kind: 'certificates',
          account,
          staging,
          at: timeValue(database, sync.finishedAt),
          columns: STAGED_COLUMNS,
        },
        async () =>
          (
            await sql<{
              staged: number | string;
              added: number | string | null;
              changed: number | string | null;
            }>`
            SELECT count(*) AS staged,
                   sum(CASE WHEN c.id IS NULL OR c.removed_at IS NOT NULL THEN 1 ELSE 0 END) AS added,
                   sum(CASE WHEN c.id IS NOT NULL AND c.removed_at IS NULL AND (${differs}) THEN 1 ELSE 0 END) AS changed
            FROM certificates_staged s
            LEFT JOIN certificates c ON c.account = ${account} AND c.id = s.id
            WHERE s.staging = ${staging}`.execute(trx)
          ).rows,
      );
      await deriveAccount(trx, database.dialect, account);
      const changes: InventoryChanges = {
        certificates: Number(rows[0].staged),
        added: Number(rows[0].added ?? 0),
        changed: Number(rows[0].changed ?? 0),
        removed,
      };
      await trx
        .insertInto('inventory_syncs')
        .values({ ...syncColumns({ ...sync, account, status: 'ok' }), ...changes })
        .execute();
      return changes;
    },
    { lock: `inventory:${account}` },
  );
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT)
    yield items.slice(start, start + ROWS_PER_STATEMENT);
}

/**
 * Text as both databases can keep it. PostgreSQL refuses U+0000 in text and jsonb, and UTF-8
 * has no encoding for a lone UTF-16 surrogate (the drivers write replacement characters, and
 * jsonb refuses its escape). Either would fail every sync of the account on PostgreSQL, or read
 * back as another string and so count as a change at every sync; both become U+FFFD on both
 * databases instead. Every other string is kept exactly.
 */
export function storable(text: string): string {
  if (typeof text !== 'string' || !(text.includes('\u0000') || SURROGATE.test(text))) return text;
  return text.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const nullableText = (text: string | undefined): string | null =>
  text === undefined || text === null ? null : storable(text);

/** The model's fields as they are written (and compared with what is stored). */
function fieldColumns(certificate: Certificate): FieldColumns {
  return {
    certificate_id: nullableText(certificate.certificateId),
    instance_id: nullableText(certificate.instanceId),
    name: nullableText(certificate.name),
    common_name: nullableText(certificate.commonName),
    sans: writeJson(certificate.sans.map(storable)),
    issuer: nullableText(certificate.issuer),
    serial_no: nullableText(certificate.serialNo),
    fingerprint: nullableText(certificate.fingerprint),
    start_date: nullableText(certificate.startDate),
    end_date: nullableText(certificate.endDate),
    expired: certificate.expired ? 1 : 0,
    uploaded: certificate.uploaded ? 1 : 0,
    status: nullableText(certificate.status),
    resource_group_id: nullableText(certificate.resourceGroupId),
  };
}

const optional = (value: string | null): string | undefined => value ?? undefined;

/** The model from a stored row. */
export function certificateOf(row: CertificateRow): Certificate {
  return {
    account: row.account,
    id: row.id,
    certificateId: optional(row.certificate_id),
    instanceId: optional(row.instance_id),
    name: optional(row.name),
    commonName: optional(row.common_name),
    sans: readJson<string[]>(row.sans),
    issuer: optional(row.issuer),
    serialNo: optional(row.serial_no),
    fingerprint: optional(row.fingerprint),
    startDate: optional(row.start_date),
    endDate: optional(row.end_date),
    expired: Number(row.expired) === 1,
    uploaded: Number(row.uploaded) === 1,
    status: optional(row.status),
    resourceGroupId: optional(row.resource_group_id),
  };
}

function syncColumns(
  record: Pick<SyncRecord, 'account' | 'startedAt' | 'finishedAt' | 'status' | 'pages' | 'calls'>,
): Insertable<InventorySyncsTable> {
  return {
    account: storable(record.account),
    started_at: writeTime(record.startedAt),
    finished_at: writeTime(record.finishedAt),
    status: record.status,
    pages: record.pages ?? null,
    calls: record.calls ?? null,
  };
}

const count = (value: number | null): number | undefined => (value === null ? undefined : Number(value));

function syncRecordOf(row: SyncRow): SyncRecord {
  const ok = row.status === 'ok';
  return {
    id: String(row.id),
    account: row.account,
    startedAt: readTime(row.started_at),
    finishedAt: readTime(row.finished_at),
    status: ok ? 'ok' : 'failed',
    changes: ok
      ? {
          certificates: Number(row.certificates),
          added: Number(row.added),
          changed: Number(row.changed),
          removed: Number(row.removed),
        }
      : undefined,
    pages: count(row.pages),
    calls: count(row.calls),
    error:
      row.error_message === null
        ? undefined
        : {
            kind: optional(row.error_kind),
            code: optional(row.error_code),
            message: row.error_message,
            requestId: optional(row.request_id),
          },
  };
}
