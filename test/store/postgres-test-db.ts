import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the PostgreSQL tests use: the development machines' local one unless told otherwise. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  schema: string;
  /** POSTGRES_URL with `?options=-c search_path=<schema>`, as DATABASE_URL would carry it. */
  url: string;
  drop(): Promise<void>;
}

function address(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
}

/** Runs one statement on its own short-lived connection. */
async function execute(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Fails (never skips) when the server is down: a suite that quietly skips its database tests
 * would pass on a machine where the PostgreSQL store was never exercised.
 */
export async function requirePostgres(): Promise<void> {
  try {
    await execute('SELECT 1');
  } catch (error) {
    // Socket errors come from outside jest's sandbox, where `instanceof Error` is false.
    const reason = String((error as { message?: unknown } | undefined)?.message ?? error);
    throw new Error(
      `PostgreSQL at ${address(POSTGRES_URL)} is unreachable (${reason}). These tests need a real server: ` +
        'start the local one (`service postgresql start`, or `pg_ctlcluster 15 main start`) with trust auth for ' +
        'user postgres and a database "test", or set TEST_DATABASE_URL to another server.',
    );
  }
}

/**
 * A schema name no other test file or run uses, and the URL that puts a store in it. The store
 * creates the schema on open; `drop` removes it with everything in it.
 */
export async function freshSchema(): Promise<TestSchema> {
  await requirePostgres();
  const schema = `cert_bot_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    drop: () => execute(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}

/** Runs a query in the given schema, for checks the Store interface does not offer. */
export async function queryIn<Row extends Record<string, unknown>>(
  schema: string,
  sql: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
