import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store';
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
  await first.recordAudit({
    at: new Date('2025-03-03T09:00:00Z'),
    userId: 'U0ADMIN',
    action: 'cert-assign',
    outcome: 'succeeded',
    details: { count: 2 },
  });
  const period = '2025-03-03T09:00:00.000Z';
  await first.claimDigest({ channel: 'C0AAA', period, claimedBy: 'a:1', now: new Date(), staleAfterMs: 60_000 });
  await first.finishDigest('C0AAA', period, { status: 'posted', messageTs: '1.2', now: new Date() });
  await first.close();

  const second = openSqliteStore(dir);
  try {
    expect(await second.listAudit(10)).toEqual([expect.objectContaining({ userId: 'U0ADMIN', details: { count: 2 } })]);
    expect(await second.getDigest('C0AAA', period)).toMatchObject({ status: 'posted', messageTs: '1.2' });
  } finally {
    await second.close();
  }
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
  expect(error.message).toMatch(/schema version 99, newer than this bot \(1\)/);
  expect(error.message).toContain('run the newer bot version');
});
