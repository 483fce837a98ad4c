import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxProcess, spawnSandbox } from '../../src/sandbox';
import { SQLITE_FILE_NAME } from '../../src/store/sqlite-store';
import { CLI, runCli } from '../helpers/run-cli';

/**
 * The streaming sync's guarantee, with the real `cert-bot` against the simulator in its own
 * process: pages are written aside as they arrive, and until the swap at the end every reader
 * (`cert-bot list`) sees the previous inventory, whether the sync is killed or CAS fails half-way.
 */
/** Few enough that `list --json` stays under execFile's 1 MB of output. */
const CERTS = 600;
const SEED = 23;
let sandbox: SandboxProcess;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: CERTS, seed: SEED, qps: 1_000 });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-sync-interrupted-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '200',
    DATA_DIR: dataDir,
  };
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The ids `cert-bot list --json` shows, and where it said they came from. */
async function listed(): Promise<{ ids: string[]; source: string }> {
  const result = await runCli(['list', '--json'], env, 60_000);
  expect(result.code).toBe(0);
  const ids = (JSON.parse(result.stdout) as { certificates: Array<{ id: string }> }).certificates.map((c) => c.id);
  return { ids: ids.sort(), source: result.stderr };
}

/** Reads the store file directly: what syncs have written aside. */
function readStore<T>(query: string): T {
  const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).get() as T;
  } finally {
    db.close();
  }
}
/** Certificate rows written aside by syncs so far, other than those of the stagings named. */
const stagedRows = (except: readonly string[] = []) =>
  readStore<{ n: number }>(
    `SELECT count(*) AS n FROM certificates_staged WHERE staging NOT IN (${except.map((id) => `'${id}'`).join(', ')})`,
  ).n;
const stagings = () =>
  readStore<{ ids: string | null }>('SELECT group_concat(id) AS ids FROM inventory_stagings').ids?.split(',') ?? [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A change CAS will show the next sync: one certificate gone, two new ones. */
async function changeCas(tag: string): Promise<void> {
  const stats = await listed();
  await sandbox.removeCertificate(Number(stats.ids[0]));
  await sandbox.addCertificates([{ commonName: `${tag}-1.example.com` }, { commonName: `${tag}-2.example.com` }]);
}

test('a `cert-bot sync` killed mid-sync leaves the previous inventory served unchanged; the next sync succeeds', async () => {
  expect((await runCli(['sync'], env, 120_000)).code).toBe(0);
  const before = await listed();
  expect(before.source).toContain('From the inventory');
  expect(before.ids.length).toBeGreaterThan(500);
  await changeCas('after-kill');

  // Slow pages, so the sync is still paging when it is killed.
  await sandbox.setFaults({ latencyMs: 1_000 });
  const child = spawn(process.execPath, [CLI, 'sync'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: path.dirname(CLI),
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  // Until some pages were staged (at most 60 s).
  let staged = 0;
  for (let waited = 0; staged < 100 && waited < 60_000; waited += 100) {
    await sleep(100);
    staged = fs.existsSync(path.join(dataDir, SQLITE_FILE_NAME)) ? stagedRows() : 0;
  }
  expect(staged).toBeGreaterThanOrEqual(100);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  await sandbox.setFaults({ latencyMs: 0 });

  // The killed sync's pages are still aside, and no reader sees them.
  expect(stagedRows()).toBeGreaterThanOrEqual(staged);
  const afterKill = await listed();
  expect(afterKill.source).toContain('From the inventory');
  expect(afterKill.ids).toEqual(before.ids);

  const next = await runCli(['sync', '--json'], env, 120_000);
  expect(next.code).toBe(0);
  expect(JSON.parse(next.stdout)).toMatchObject({ added: 2, removed: 1 });
  const afterSync = await listed();
  expect(afterSync.ids).not.toEqual(before.ids);
  expect(afterSync.ids.length).toBe(before.ids.length + 1);
}, 300_000);

test('CAS failing half-way through a sync leaves the previous inventory unchanged and reports the failure', async () => {
  expect((await runCli(['sync'], env, 120_000)).code).toBe(0);
  const before = await listed();
  await changeCas('after-failure');
  const earlier = stagings(); // the killed sync's, above

  // Page 6 of about 12 of the certificate listing answers ServiceUnavailable (past the client's retries).
  await sandbox.setFaults({ failPage: 6 });
  const failed = await runCli(['sync'], env, 120_000);
  await sandbox.setFaults({ failPage: 0 });
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('inventory sync of default failed');
  expect(failed.stderr).toMatch(/ServiceUnavailable|unavailable/i);
  expect(failed.stderr).not.toMatch(/\n\s+at /);

  const afterFailure = await listed();
  expect(afterFailure.ids).toEqual(before.ids);
  // The failed sync said so where lists show it, and dropped what it had staged.
  expect(afterFailure.source).toContain('the last sync failed');
  expect(stagedRows(earlier)).toBe(0);

  expect((await runCli(['sync'], env, 120_000)).code).toBe(0);
  expect((await listed()).ids.length).toBe(before.ids.length + 1);
}, 300_000);
