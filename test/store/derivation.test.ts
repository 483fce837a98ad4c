/**
 * The derivation in passes (bounded memory) derives exactly what one pass over the whole account
 * derives, on random inventories with reused names, wildcards of several zones, revoked ones,
 * unknown ends and expired flags.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Certificate } from '../../src/domain/certificate';
import { mulberry32, pick, type Random, randomInt } from '../../src/sandbox/prng';
import { type Tables, writeTransaction } from '../../src/store/database';
import { deriveReplacements, zoneKey } from '../../src/store/derivation';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../src/store/sqlite-store';

const SYNC = new Date('2026-05-20T09:00:00.000Z');
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * 86_400_000).toISOString().slice(0, 10);
const ZONES = ['example.com', 'Example.com', 'a.example.com', 'example.org', 'b.example.org', 'x.y.example.net'];

function name(random: Random): string {
  const roll = random();
  if (roll < 0.03) return '*.';
  if (roll < 0.06) return 'localhost';
  if (roll < 0.12) return pick(random, ZONES);
  return `${pick(random, ['a', 'b', 'www', '*', 'A', 'a*'])}.${pick(random, ZONES)}`;
}

function certificate(random: Random, index: number): Certificate {
  const endRoll = random();
  return {
    account: 'A',
    id: String(index),
    commonName: random() < 0.9 ? name(random) : undefined,
    sans: Array.from({ length: randomInt(random, 0, 4) }, () => name(random)),
    endDate: endRoll < 0.06 ? undefined : endRoll < 0.08 ? 'soon' : day(randomInt(random, -8, 8) * 20),
    expired: random() < 0.2,
    uploaded: false,
    status: random() < 0.07 ? 'REVOKED' : 'ISSUED',
  };
}

test('zone keys: a name and every name covering it share one', () => {
  expect(zoneKey('a.example.com')).toBe('example.com');
  expect(zoneKey('*.example.com')).toBe('example.com');
  expect(zoneKey('*.')).toBe('*.');
  expect(zoneKey('localhost')).toBe('localhost');
  expect(zoneKey('a.')).toBe('a.');
});

test.each([1, 2, 3, 4, 5, 6])('derived in passes of a few rows equals one pass (seed %i)', async (seed) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-derivation-'));
  try {
    const random = mulberry32(seed * 7_919);
    const store = openSqliteStore(dir);
    // One pass here: fewer rows than ROWS_PER_PASS.
    await store.inventory.replace(
      'A',
      Array.from({ length: randomInt(random, 50, 300) }, (_, i) => certificate(random, i)),
      { startedAt: SYNC, finishedAt: SYNC },
    );
    await store.close();

    const raw = new Database(path.join(dir, SQLITE_FILE_NAME));
    const derived = () =>
      raw.prepare('SELECT id, end_day, replaced_by, replaced_until_day FROM certificates ORDER BY id').all();
    const once = derived();
    expect(once.filter((row) => (row as { replaced_by: unknown }).replaced_by !== null).length).toBeGreaterThan(5);
    raw.exec('UPDATE certificates SET end_day = NULL, replaced_by = NULL, replaced_until_day = NULL');
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: raw }) });
    try {
      for (const rowsPerPass of [7, 40]) {
        await writeTransaction({ db, dialect: 'sqlite', close: async () => undefined }, (trx) =>
          deriveReplacements(trx, 'sqlite', 'A', rowsPerPass),
        );
        expect(derived()).toEqual(once);
      }
    } finally {
      await db.destroy();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
