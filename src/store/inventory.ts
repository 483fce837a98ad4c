import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Certificate } from '../domain/certificate';
import {
  type CertificatesTable,
  type Database,
  type InventorySyncsTable,
  readJson,
  readTime,
  type Tables,
  writeJson,
  writeTime,
  writeTransaction,
} from './database';
import { type InventoryCertificate, type InventoryStore, StoreError, type SyncRecord } from './types';

/**
 * Rows per multi-row statement: 500 rows of 19 columns are 9,500 parameters, well under SQLite's
 * limit (32,766) and PostgreSQL's (65,535), and few enough statements for 50,000 certificates.
 */
const ROWS_PER_STATEMENT = 500;

/** The columns that hold the Certificate model's fields (the key and the times aside). */
type FieldColumns = Omit<Insertable<CertificatesTable>, 'account' | 'id' | 'first_seen' | 'last_seen' | 'removed_at'>;
type CertificateRow = Selectable<CertificatesTable>;
type StoredFields = Pick<CertificateRow, 'id' | 'removed_at' | (typeof FIELD_COLUMNS)[number]>;
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

/**
 * The certificate inventory: one row per certificate of an account, replaced by each complete
 * sync in one transaction, and the record of every sync attempt.
 */
export function inventoryStore(database: Database): InventoryStore {
  const { db } = database;

  return {
    async replace(account, certificates, sync) {
      account = storable(account);
      // Input is merged by id, the last one winning: a certificate listed twice is one row.
      const incoming = new Map<string, { id: string; fields: FieldColumns }>();
      for (const certificate of certificates) {
        if (storable(certificate.account) !== account)
          throw new StoreError(
            `certificate ${certificate.id} belongs to account ${certificate.account}, not to ${account} whose inventory is being replaced`,
          );
        const id = storable(certificate.id);
        incoming.set(id, { id, fields: fieldColumns(certificate) });
      }
      const now = writeTime(sync.finishedAt);

      return writeTransaction(
        database,
        async (trx) => {
          // One read of the account's rows under the write lock; the comparison is done here.
          const rows: StoredFields[] = await trx
            .selectFrom('certificates')
            .select(['id', 'removed_at', ...FIELD_COLUMNS])
            .where('account', '=', account)
            .execute();
          const stored = new Map(rows.map((row) => [row.id, row]));

          let added = 0;
          let changed = 0;
          let unchanged = 0;
          const writes: Insertable<CertificatesTable>[] = [];
          for (const { id, fields } of incoming.values()) {
            const row = stored.get(id);
            if (!row || row.removed_at !== null) added += 1;
            else if (!sameFields(fields, row)) changed += 1;
            else {
              unchanged += 1;
              continue;
            }
            writes.push({ account, id, ...fields, first_seen: now, last_seen: now, removed_at: null });
          }
          const gone = [...stored.values()]
            .filter((row) => row.removed_at === null && !incoming.has(row.id))
            .map((row) => row.id);

          for (const chunk of chunks(writes)) await upsert(trx, chunk);
          for (const chunk of chunks(gone))
            await trx
              .updateTable('certificates')
              .set({ removed_at: now })
              .where('account', '=', account)
              .where('id', 'in', chunk)
              .execute();
          // Every present certificate was seen now: one statement moves last_seen of those the
          // upserts above did not write.
          if (unchanged > 0)
            await trx
              .updateTable('certificates')
              .set({ last_seen: now })
              .where('account', '=', account)
              .where('removed_at', 'is', null)
              .execute();

          const changes = { certificates: incoming.size, added, changed, removed: gone.length };
          await trx
            .insertInto('inventory_syncs')
            .values({
              ...syncColumns({ ...sync, account, status: 'ok' }),
              certificates: changes.certificates,
              added,
              changed,
              removed: changes.removed,
            })
            .execute();
          return changes;
        },
        { lock: `inventory:${account}` },
      );
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

async function upsert(trx: Kysely<Tables>, rows: Insertable<CertificatesTable>[]): Promise<void> {
  await trx
    .insertInto('certificates')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['account', 'id']).doUpdateSet((eb) => ({
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
        // first_seen stays: a certificate that is back was first seen when it first appeared.
        last_seen: eb.ref('excluded.last_seen'),
        removed_at: null,
      })),
    )
    .execute();
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
function storable(text: string): string {
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

/** Whether a stored row holds exactly these fields (last_seen and the other times aside). */
function sameFields(fields: FieldColumns, row: StoredFields): boolean {
  return FIELD_COLUMNS.every((column) => {
    const stored = row[column];
    if (column === 'sans') return fields.sans === (typeof stored === 'string' ? stored : writeJson(stored));
    if (column === 'expired' || column === 'uploaded') return fields[column] === Number(stored);
    return fields[column] === stored;
  });
}

const optional = (value: string | null): string | undefined => value ?? undefined;

function certificateOf(row: CertificateRow): Certificate {
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
