import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxProcess, spawnSandbox } from '../../src/sandbox';
import { runCli } from '../helpers/run-cli';

/** `cert-bot home --user U…`: the Home view in the terminal or as JSON, from the built CLI. */
let sandbox: SandboxProcess;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: 80, seed: 3, qps: 100 });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-cli-home-'));
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '50',
    DATA_DIR: dataDir,
  };
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('home prints the dashboard as Slack shows it, or the view JSON; a bad user ID exits 2', async () => {
  expect((await runCli(['sync'], env)).code).toBe(0);
  const text = await runCli(['home', '--user', 'U0CLI0001'], env);
  expect(text.stderr).toBe('');
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('Certificates\n═');
  expect(text.stdout).toContain('Health score:');
  expect(text.stdout).toContain('Most urgent');
  expect(text.stdout).toContain('[ Info ]  [ Acknowledge ]');
  expect(text.stdout).toContain('[ Refresh ]');

  const json = await runCli(['home', '--user', 'W0CLI0001', '--json'], env);
  expect(json.code).toBe(0);
  const view = JSON.parse(json.stdout) as { type: string; blocks: unknown[] };
  expect(view.type).toBe('home');
  expect(view.blocks.length).toBeGreaterThan(5);

  const bad = await runCli(['home', '--user', 'someone'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('not a Slack user ID');
  const missing = await runCli(['home'], env);
  expect(missing.code).not.toBe(0);
});
