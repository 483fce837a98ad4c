/**
 * Rows written before the derived columns existed (a store upgraded in place) are derived by the
 * first list query, once, on SQLite (a real file of the previous schema version) and PostgreSQL
 * (a schema whose derived values and derivation records were cleared).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Certificate } from '../../src/domain/certificate';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations';
import { openPostgresStore } from '../../src/store/postgres-store';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/types';
import { freshSchema, queryIn, requirePostgres, type TestSchema } from './postgres-test-db';

const SYNC = new Date('2026-05-20T09:00:00.000Z');
const NOW = new Date('2026-05-21T10:00:00.000Z');

const cert = (id: string, names: string[], endDate: string): Certificate => ({
  account: 'A',
  id,
  commonName: names[0],
  sans: names,
  endDate,
  expired: false,
  uploaded: false,
});
const OLD = cert('1', ['a.example.com'], '2026-06-01');
const NEW = cert('2', ['a.example.com', 'b.example.com'], '2027-06-01');

const summary = async (store: Store) =>
  (await store.certificates.select({}, NOW)).rows.map((row) => ({
    id: row.certificate.id,
    state: row.state,
    replacedBy: row.replacedBy?.certificate.id,
    deployment: row.deployment.state,
  }));

const EXPECTED = [
  { id: '1', state: 'stale', replacedBy: '2', deployment: 'stale' },
  { id: '2', state: 'not-deployed', replacedBy: undefined, deployment: 'not-deployed' },
];

test('SQLite: a file of the schema before lists as queries gets its derived values at the first list, and its names', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-backfill-'));
  try {
    const raw = new Database(path.join(dir, SQLITE_FILE_NAME));
    // The version before the derived columns (and the lookup indexes and names after them).
    const previous = SQLITE_MIGRATIONS.findIndex((migration) => migration.includes('ADD COLUMN end_day'));
    expect(previous).toBeGreaterThan(0);
    for (const migration of SQLITE_MIGRATIONS.slice(0, previous)) raw.exec(migration);
    raw.pragma(`user_version = ${previous}`);
    const insert = raw.prepare(
      `INSERT INTO certificates (account, id, common_name, sans, end_date, expired, uploaded, first_seen, last_seen)
       VALUES ('A', ?, ?, ?, ?, 0, 0, ?, ?)`,
    );
    for (const c of [OLD, NEW])
      insert.run(c.id, c.commonName, JSON.stringify(c.sans), c.endDate, SYNC.toISOString(), SYNC.toISOString());
    raw
      .prepare(
        `INSERT INTO cloud_resources (account, id, certificate_id, first_seen, last_seen) VALUES ('A', 'r1', '1', ?, ?)`,
      )
      .run(SYNC.toISOString(), SYNC.toISOString());
    raw
      .prepare(`INSERT INTO resource_syncs (account, last_success, last_attempt) VALUES ('A', ?, ?)`)
      .run(SYNC.toISOString(), SYNC.toISOString());
    raw.close();

    const store = openSqliteStore(dir);
    try {
      expect(await summary(store)).toEqual(EXPECTED);
      // The names already stored are found by what /cert-info asks.
      const covering = async (host: string) =>
        (await store.certificates.select({ coveringName: host }, NOW)).rows.map((row) => row.certificate.id);
      expect(await covering('B.example.com')).toEqual(['2']);
      expect(await covering('a.example.com')).toEqual(['1', '2']);
    } finally {
      await store.close();
    }
    const after = new Database(path.join(dir, SQLITE_FILE_NAME), { readonly: true });
    expect(after.prepare('SELECT id, end_day, replaced_by, served_by FROM certificates ORDER BY id').all()).toEqual([
      { id: '1', end_day: 20605, replaced_by: '2', served_by: 1 },
      { id: '2', end_day: 20970, replaced_by: null, served_by: 0 },
    ]);
    expect(after.prepare('SELECT account, version FROM inventory_derivations').all()).toEqual([
      { account: 'A', version: 1 },
    ]);
    after.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('PostgreSQL', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    await requirePostgres();
    schema = await freshSchema();
  });
  afterAll(() => schema?.drop());

  test('rows whose derived values are missing get them at the first list of a newly opened store', async () => {
    const first = await openPostgresStore(schema.url);
    try {
      await first.inventory.replace('A', [OLD, NEW], { startedAt: SYNC, finishedAt: SYNC });
      await first.resources.replace('A', [{ account: 'A', id: 'r1', certificateId: '1' }], SYNC);
      expect(await summary(first)).toEqual(EXPECTED);
    } finally {
      await first.close();
    }
    await queryIn(
      schema.schema,
      'UPDATE certificates SET end_day = NULL, replaced_by = NULL, replaced_until_day = NULL, served_by = NULL',
    );
    await queryIn(schema.schema, 'DELETE FROM inventory_derivations');

    const second = await openPostgresStore(schema.url);
    try {
      expect(await summary(second)).toEqual(EXPECTED);
    } finally {
      await second.close();
    }
  });
});
