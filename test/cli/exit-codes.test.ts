import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxProcess, spawnSandbox } from '../../src/sandbox';
import { runCli } from '../helpers/run-cli';

/**
 * The exit code table of docs/cli.md, row by row: each row's example is run as written with the
 * built CLI against the simulator (after a sync, as the bot's inventory would be) and exits with
 * that row's code; `--help` ends with the same codes.
 */

const DOC = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'cli.md'), 'utf8');

interface Row {
  code: number;
  meaning: string;
  example: string;
}

function exitTable(): Row[] {
  const table = DOC.slice(DOC.indexOf('| exit | meaning | for example |'));
  return table
    .split('\n')
    .slice(2)
    .filter((line) => /^\| \d \|/.test(line))
    .map((line) => {
      const [code, meaning, example] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return { code: Number(code), meaning, example };
    });
}

let sandbox: SandboxProcess;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: 120, seed: 3, qps: 200 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-exit-codes-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '100',
    DATA_DIR: dir,
  };
  expect((await runCli(['sync'], env, 60_000)).code).toBe(0);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the table has one row for each code, 0 to 4, each with an example', () => {
  const rows = exitTable();
  expect(rows.map((r) => r.code)).toEqual([0, 1, 2, 3, 4]);
  for (const row of rows) expect(row.example).toMatch(/^`cert-bot [^`]+`/);
});

test('--help ends with the same codes', async () => {
  const help = await runCli(['--help'], env);
  const codes = [...help.stdout.slice(help.stdout.indexOf('Exit codes:')).matchAll(/^ {2}(\d) {2}/gm)].map((m) =>
    Number(m[1]),
  );
  expect(codes).toEqual(exitTable().map((r) => r.code));
});

describe.each(exitTable())('exit $code', (row) => {
  test(`${row.example} exits ${row.code}`, async () => {
    const command = /^`cert-bot ([^`]+)`/.exec(row.example)?.[1] ?? '';
    // "with a wrong secret": the same command, with a secret CAS refuses.
    const rowEnv = row.example.endsWith('with a wrong secret')
      ? { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-abcdef-123' }
      : env;
    const result = await runCli(command.split(' '), rowEnv, 60_000);
    expect(result.code).toBe(row.code);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    if (row.code === 0) expect(result.stdout).toContain('Certificate ID');
    if (row.code === 1) expect(result.stderr).toContain('SignatureDoesNotMatch');
    if (row.code === 2) expect(result.stderr).toContain('allowed: stale, expired, expiring');
    if (row.code === 3) expect(result.stderr).toMatch(/--fail-on expired: \d+ of the certificates listed are expired/);
    if (row.code === 4) expect(result.stdout).toContain('No certificate with ID');
  }, 60_000);
});
