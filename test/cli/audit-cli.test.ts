import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openStore } from '../../src/store';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite-store';
import type { AuditEntry } from '../../src/store/types';
import { runCli } from '../helpers/run-cli';
import { freshSchema, type TestSchema } from '../store/postgres-test-db';

/** `cert-bot audit`: the built CLI reading an audit log written through the store API. */

const ENTRIES: AuditEntry[] = [
  {
    at: new Date('2026-11-30T08:00:00Z'),
    userId: 'U0USER001',
    teamId: 'T0TEAM',
    channelId: 'C0CHAN',
    action: 'cert-assign',
    outcome: 'refused',
    // What a non-admin typed, with a terminal escape sequence in it.
    details: { text: '33285 5 \u001b[31mred' },
  },
  {
    at: new Date('2026-12-01T10:15:00Z'),
    userId: 'U0ADMIN01',
    teamId: 'T0TEAM',
    channelId: 'C0CHAN',
    action: 'cert-assign',
    outcome: 'requested',
    details: { dataSourceId: '33285', count: 5, account: 'prod' },
  },
  {
    at: new Date('2026-12-01T10:16:30Z'),
    userId: 'U0ADMIN01',
    action: 'cert-assign',
    outcome: 'failed',
    details: { dataSourceId: '33285', count: 5, account: 'prod', error: 'Throttling.User' },
    requestId: 'REQ-FAILED-1',
  },
  {
    at: new Date('2026-12-02T07:00:00Z'),
    userId: 'W0ADMIN02',
    action: 'cert-assign',
    outcome: 'denied',
    details: { decision: 'confirm', reason: 'expired' },
  },
];

async function seed(config: { DATA_DIR?: string; DATABASE_URL?: string }): Promise<void> {
  const store = await openStore(loadConfig(config));
  try {
    for (const entry of ENTRIES) await store.audit.record(entry);
  } finally {
    await store.close();
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-cli-audit-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('on the SQLite store of DATA_DIR', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = { DATA_DIR: tempDir() };
    await seed(env);
  });

  test('lists every entry newest first: when, who, action, outcome, details, RequestId', async () => {
    const { code, stdout, stderr } = await runCli(['audit'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WHEN +USER +ACTION +OUTCOME +DETAILS +REQUEST ID$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      /^2026-12-02 07:00 UTC +W0ADMIN02 +cert-assign +denied +decision confirm, reason expired$/,
    );
    expect(lines[2]).toMatch(
      /^2026-12-01 10:16 UTC +U0ADMIN01 +cert-assign +failed +data source 33285, count 5, account prod, error Throttling\.User +REQ-FAILED-1$/,
    );
    expect(lines[3]).toMatch(
      /^2026-12-01 10:15 UTC +U0ADMIN01 +cert-assign +requested +data source 33285, count 5, account prod$/,
    );
    expect(lines[4]).toMatch(/^2026-11-30 08:00 UTC +U0USER001 +cert-assign +refused +typed 33285 5 {2}\[31mred$/);
    // Stored text cannot drive the terminal.
    expect(stdout).not.toContain('\u001b');
  });

  test('--json prints the entries exactly', async () => {
    const { code, stdout } = await runCli(['audit', '--json'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(
      [...ENTRIES].reverse().map((entry) => JSON.parse(JSON.stringify({ ...entry, at: entry.at.toISOString() }))),
    );
    const [first] = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(Object.keys(first)).toEqual(['at', 'userId', 'action', 'outcome', 'details']);
  });

  test('--since (a date or a date-time), --user and --limit narrow it', async () => {
    const outcomes = async (...args: string[]) => {
      const result = await runCli(['audit', '--json', ...args], env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as AuditEntry[]).map((e) => e.outcome);
    };
    expect(await outcomes('--since', '2026-12-01')).toEqual(['denied', 'failed', 'requested']);
    expect(await outcomes('--since', '2026-12-01T10:16Z')).toEqual(['denied', 'failed']);
    // Inclusive, and an offset is honoured: 11:15+01:00 is 10:15 UTC.
    expect(await outcomes('--since', '2026-12-01T11:15+01:00')).toEqual(['denied', 'failed', 'requested']);
    expect(await outcomes('--user', 'U0ADMIN01')).toEqual(['failed', 'requested']);
    expect(await outcomes('--user', 'U0ADMIN01', '--since', '2026-12-01T10:16Z')).toEqual(['failed']);
    expect(await outcomes('--limit', '2')).toEqual(['denied', 'failed']);
    expect(await outcomes('--since', '2027-01-01')).toEqual([]);
  });

  test('nothing matching prints "No audit entries", exit 0', async () => {
    const { code, stdout } = await runCli(['audit', '--user', 'U0NOBODY'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^No audit entries/);
  });

  test.each([
    [['--since', '01/11/2026'], /--since takes an ISO date or date-time.*2026-11-01T09:00Z/],
    [['--since', '2026-02-30'], /--since takes an ISO date or date-time/],
    [['--since', '2026-11-01T25:00Z'], /--since takes an ISO date or date-time/],
    [['--user', 'someone'], /--user takes a Slack user ID/],
    [['--user', 'u0admin01'], /--user takes a Slack user ID/],
    [['--limit', '0'], /--limit takes a whole number/],
    [['--limit', 'many'], /--limit takes a whole number/],
  ])('%j is a usage error: exit 2, one line', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['audit', ...args], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

test('without a store file it says so and creates nothing', async () => {
  const dataDir = path.join(tempDir(), 'not-yet');
  const { code, stdout, stderr } = await runCli(['audit'], { DATA_DIR: dataDir });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout.trimEnd()).toBe(`No audit entries (no store yet at ${path.join(dataDir, SQLITE_FILE_NAME)})`);
  const json = await runCli(['audit', '--json'], { DATA_DIR: dataDir });
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toEqual([]);
  expect(fs.existsSync(dataDir)).toBe(false);
});

describe('on PostgreSQL (DATABASE_URL)', () => {
  let db: TestSchema;
  beforeAll(async () => {
    db = await freshSchema();
    await seed({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await db?.drop();
  });

  test('lists and filters the same way', async () => {
    const env = { DATABASE_URL: db.url, DATA_DIR: path.join(tempDir(), 'unused') };
    const text = await runCli(['audit', '--since', '2026-12-01T10:16Z'], env);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/2026-12-02 07:00 UTC +W0ADMIN02 +cert-assign +denied/);
    expect(text.stdout).toMatch(/2026-12-01 10:16 UTC +U0ADMIN01 +cert-assign +failed .* REQ-FAILED-1/);
    expect(text.stdout).not.toContain('requested');
    const json = await runCli(['audit', '--json', '--user', 'U0USER001'], env);
    expect(JSON.parse(json.stdout)).toEqual([
      { ...JSON.parse(JSON.stringify(ENTRIES[0])), at: '2026-11-30T08:00:00.000Z' },
    ]);
  });
});
