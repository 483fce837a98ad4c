import { Client } from 'pg';
import { openStore } from '../../src/store';
import { POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres-migrations';
import { openPostgresStore } from '../../src/store/postgres-store';
import { type Store, StoreError } from '../../src/store/types';
import { freshSchema, POSTGRES_URL, queryIn, requirePostgres, type TestSchema } from './postgres-test-db';

const schemas: TestSchema[] = [];

async function schema(): Promise<TestSchema> {
  const test = await freshSchema();
  schemas.push(test);
  return test;
}

/** The StoreError an open throws, or a failure when it opens. */
async function openError(open: () => Promise<Store>): Promise<StoreError> {
  let store: Store;
  try {
    store = await open();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  await store.close();
  throw new Error('the store opened unexpectedly');
}

beforeAll(() => requirePostgres());
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
});

test('an unreachable server is a start-up error naming host:port, without the password', async () => {
  const error = await openError(() => openPostgresStore('postgres://postgres:secretpw@127.0.0.1:1/test'));
  expect(error.message).toContain('127.0.0.1:1');
  expect(error.message).toContain('ECONNREFUSED');
  expect(error.message).toMatch(/check that PostgreSQL is running/i);
  expect(error.message).not.toContain('secretpw');
  expect(error.stack).not.toContain('secretpw');
});

test('a missing database is a start-up error that says what to do', async () => {
  const url = new URL(POSTGRES_URL);
  url.pathname = '/cert_bot_no_such_database';
  const error = await openError(() => openPostgresStore(url.toString()));
  expect(error.message).toContain(`${url.hostname}:${url.port || '5432'}`);
  expect(error.message).toContain('cert_bot_no_such_database');
  expect(error.message).toMatch(/create the database/i);
});

test('an invalid URL or schema name is refused without echoing the URL', async () => {
  const bad = await openError(() => openPostgresStore('postgres://user:secretpw@[bad'));
  expect(bad.message).toContain('not a valid URL');
  expect(bad.message).not.toContain('secretpw');
  const schemaError = await openError(() => openPostgresStore(POSTGRES_URL, { schema: 'Robert"; DROP' }));
  expect(schemaError.message).toContain('Invalid PostgreSQL schema name');
});

test('the search_path in the URL places the tables in that schema, created on open', async () => {
  const test = await schema();
  expect(test.url).toContain('options=');
  const store = await openStore({ DATA_DIR: '/nonexistent', DATABASE_URL: test.url });
  try {
    expect(store.kind).toBe('postgres');
    await store.ping();
    const tables = await queryIn<{ table_name: string }>(
      test.schema,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [test.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'account_snapshots',
      'alert_message_items',
      'alert_messages',
      'alert_states',
      'audit_log',
      'certificate_names',
      'certificates',
      'certificates_staged',
      'claims',
      'cloud_resources',
      'cloud_resources_staged',
      'confirmations',
      'deployment_requests',
      'digest_snapshot',
      'drift_alerts',
      'inventory_derivations',
      'inventory_stagings',
      'inventory_syncs',
      'probe_results',
      'resource_syncs',
      'schema_migrations',
      'store_info',
    ]);
  } finally {
    await store.close();
  }
});

test('the schema option does the same for a URL without one', async () => {
  const test = await schema();
  const store = await openPostgresStore(POSTGRES_URL, { schema: test.schema });
  try {
    await store.snapshots.saveSnapshot({ period: 'p1', takenAt: new Date(), risks: {}, totalRisk: 0 });
    const rows = await queryIn<{ period: string }>(test.schema, 'SELECT period FROM digest_snapshot');
    expect(rows).toEqual([{ period: 'p1' }]);
  } finally {
    await store.close();
  }
});

test('stores opening one schema at once migrate it once, and reopening changes nothing', async () => {
  const test = await schema();
  const stores = await Promise.all([openPostgresStore(test.url), openPostgresStore(test.url)]);
  try {
    await stores[0].audit.record({ at: new Date(), userId: 'U0A', action: 'x', outcome: 'requested', details: {} });
    expect(await stores[1].audit.list(5)).toHaveLength(1);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
  const again = await openPostgresStore(test.url);
  try {
    expect(await again.audit.list(5)).toHaveLength(1);
  } finally {
    await again.close();
  }
  const versions = await queryIn<{ version: number }>(test.schema, 'SELECT version FROM schema_migrations');
  expect(versions.map((v) => v.version)).toEqual(
    Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, index) => index + 1),
  );
});

test('a schema from a newer bot is refused with what to do', async () => {
  const test = await schema();
  await (await openPostgresStore(test.url)).close();
  await queryIn(test.schema, 'INSERT INTO schema_migrations (version) VALUES (99)');
  const error = await openError(() => openPostgresStore(test.url));
  expect(error.message).toContain(test.schema);
  expect(error.message).toMatch(/store schema version 99, newer than this bot/);
  expect(error.message).toContain('run the newer bot version');
});

test('close twice is harmless', async () => {
  const test = await schema();
  const store = await openPostgresStore(test.url);
  await store.close();
  await expect(store.close()).resolves.toBeUndefined();
});

test('a connection killed in the middle of a write fails that write only: the bot keeps running and the next write succeeds', async () => {
  const test = await schema();
  const store = await openPostgresStore(test.url);
  const admin = new Client({ connectionString: test.url });
  await admin.connect();
  try {
    // Hold the lock the store's write takes first, so the write waits inside its transaction...
    await admin.query(`SELECT pg_advisory_lock(${0x63617377}, hashtext(current_schema() || ':probe_results'))`);
    const write = store.probes.replace([]);
    let waiting: number | undefined;
    for (let i = 0; i < 100 && waiting === undefined; i++) {
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE '%pg_advisory_xact_lock%'",
      );
      waiting = rows[0]?.pid;
      if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(waiting).toBeDefined();
    // ...then end its connection, as a server restart or a failover would.
    await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
    await expect(write).rejects.toThrow(/terminat/i);
    await admin.query(`SELECT pg_advisory_unlock_all()`);
    // The pool replaces the dead connection: the next write and read work.
    await store.probes.replace([]);
    expect(await store.probes.list()).toEqual([]);
  } finally {
    await admin.end();
    await store.close();
  }
});
