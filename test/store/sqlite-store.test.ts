import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../src/store/sqlite-store';
import { StoreError } from '../../src/store/types';

const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-sqlite-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The StoreError openSqliteStore throws, or a failure when it opens. */
function openError(dataDir: string): StoreError {
  try {
    openSqliteStore(dataDir).close();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error(`openSqliteStore(${dataDir}) unexpectedly succeeded`);
}

test('the file survives a reopen', async () => {
  const dir = tempDir();
  const first = openSqliteStore(dir);
  await first.audit.record({
    at: new Date('2025-03-03T09:00:00Z'),
    userId: 'U0ADMIN',
    action: 'cert-assign',
    outcome: 'succeeded',
    details: { count: 2 },
  });
  const key = { kind: 'digest', subject: 'C0AAA', period: '2025-03-03T09:00:00.000Z' };
  await first.claims.claim({ ...key, holder: 'a:1', now: new Date(), leaseMs: 60_000 });
  await first.claims.finish(key, 'a:1', { status: 'posted', result: { messageTs: '1.2' }, now: new Date() });
  await first.close();

  const second = openSqliteStore(dir);
  try {
    expect(await second.audit.list(10)).toEqual([
      expect.objectContaining({ userId: 'U0ADMIN', details: { count: 2 } }),
    ]);
    expect(await second.claims.get(key)).toMatchObject({ status: 'posted', result: { messageTs: '1.2' } });
  } finally {
    await second.close();
  }
});

test('a file of the first schema version keeps its digest ledger, moved into the claims', async () => {
  const dir = tempDir();
  const raw = new Database(path.join(dir, SQLITE_FILE_NAME));
  raw.exec(SQLITE_MIGRATIONS[0]);
  raw.pragma('user_version = 1');
  raw
    .prepare(
      `INSERT INTO digest_ledger (channel, period, status, claimed_by, claimed_at, finished_at, message_ts)
       VALUES ('C0AAA', '2025-03-03T09:00:00.000Z', 'posted', 'a:1', '2025-03-03T09:00:01.000Z', '2025-03-03T09:00:02.000Z', '1.2')`,
    )
    .run();
  raw.close();

  const store = openSqliteStore(dir);
  try {
    const entry = await store.claims.get({ kind: 'digest', subject: 'C0AAA', period: '2025-03-03T09:00:00.000Z' });
    expect(entry).toMatchObject({ status: 'posted', holder: 'a:1', result: { messageTs: '1.2' } });
    // A posted period stays posted: the migrated claim is not handed out again.
    expect(
      await store.claims.claim({
        kind: 'digest',
        subject: 'C0AAA',
        period: '2025-03-03T09:00:00.000Z',
        holder: 'b:2',
        now: new Date(),
        leaseMs: 60_000,
      }),
    ).toBeUndefined();
    // A store that already had records dates from its oldest one, not from the upgrade.
    expect(await store.info.createdAt()).toEqual(new Date('2025-03-03T09:00:01.000Z'));
  } finally {
    await store.close();
  }
});

test('processes opening a new DATA_DIR at the same moment all start (migrations under one lock)', async () => {
  const dir = tempDir();
  const module = path.resolve(__dirname, '..', '..', 'dist', 'src', 'store', 'sqlite-store.js');
  const at = Date.now() + 2_500;
  // Each process waits for the same instant, then opens and migrates the new file.
  const script = `
    const { openSqliteStore } = require(${JSON.stringify(module)});
    setTimeout(async () => {
      try { const store = openSqliteStore(${JSON.stringify(dir)}); await store.close(); process.stdout.write('ok'); }
      catch (error) { process.stdout.write('failed: ' + error.message); process.exitCode = 1; }
    }, Math.max(0, ${at} - Date.now()));`;
  const runs = await Promise.all(
    Array.from(
      { length: 6 },
      () =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ['-e', script]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('close', (code) => resolve({ code, out }));
        }),
    ),
  );
  expect(runs).toEqual(Array.from({ length: 6 }, () => ({ code: 0, out: 'ok' })));
  const store = openSqliteStore(dir);
  await store.close();
});

test('openStore without DATABASE_URL opens the SQLite file in DATA_DIR', async () => {
  const dir = tempDir();
  const store = await openStore({ DATA_DIR: dir, DATABASE_URL: undefined });
  try {
    expect(store.kind).toBe('sqlite');
    expect(fs.existsSync(path.join(dir, SQLITE_FILE_NAME))).toBe(true);
  } finally {
    await store.close();
  }
});

test('a corrupt file is a start-up error that names the file and says what to do', () => {
  const dir = tempDir();
  const file = path.join(dir, SQLITE_FILE_NAME);
  fs.writeFileSync(file, Buffer.from('this is not a database, just garbage bytes \x00\x01\x02'.repeat(200)));

  const error = openError(dir);
  expect(error.message).toContain(file);
  expect(error.message).toMatch(/not a database/);
  expect(error.message).toContain('move it aside');
});

test('a DATA_DIR that cannot be created is a start-up error naming the file', () => {
  // Under a regular file: refused even for root, whom chmod would not stop.
  const blocker = path.join(tempDir(), 'not-a-folder');
  fs.writeFileSync(blocker, 'x');
  const dataDir = path.join(blocker, 'data');

  const error = openError(dataDir);
  expect(error.message).toContain(path.join(dataDir, SQLITE_FILE_NAME));
  expect(error.message).toContain('DATA_DIR is writable');
});

test('a file from a newer bot is refused with what to do', async () => {
  const dir = tempDir();
  await openSqliteStore(dir).close();
  const raw = new Database(path.join(dir, SQLITE_FILE_NAME));
  raw.pragma('user_version = 99');
  raw.close();

  const error = openError(dir);
  expect(error.message).toContain(path.join(dir, SQLITE_FILE_NAME));
  expect(error.message).toContain(`schema version 99, newer than this bot (${SQLITE_MIGRATIONS.length})`);
  expect(error.message).toContain('run the newer bot version');
});
