import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { periodsBefore } from '../../src/jobs/period';
import { TREND_CHART_SIZE } from '../../src/render/trend-chart';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxProcess, spawnSandbox } from '../../src/sandbox';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { runCli } from '../helpers/run-cli';

/** `cert-bot digest --dry-run --chart FILE.png`, against a spawned simulator and a seeded store. */
let sandbox: SandboxProcess;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  sandbox = await spawnSandbox({ certs: 80, seed: 4, qps: 100 });
  env = {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: '50',
  };
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-chart-'));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('--chart writes the trend chart as a PNG and says where', async () => {
  // Three earlier weekly digests in the store; this week's numbers come from the simulator.
  const store = openSqliteStore(dataDir);
  const earlier = periodsBefore({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date(), 3).reverse();
  for (const [i, period] of earlier.entries())
    await store.snapshots.saveSnapshot({
      period: period.key,
      takenAt: period.start,
      point: 50 + 10 * i,
      risks: { expired: 4 - i, expiring: 6, stale: i },
      totalRisk: 10,
    });
  await store.close();

  const file = path.join(dataDir, 'trend.png');
  const result = await runCli(['digest', '--dry-run', '--chart', file], { ...env, DATA_DIR: dataDir });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Weekly certificate digest');
  expect(result.stdout).toContain(`chart written to ${file}`);
  const png = PNG.sync.read(fs.readFileSync(file));
  expect({ width: png.width, height: png.height }).toEqual(TREND_CHART_SIZE);

  // With --json, stdout stays the message alone.
  const json = await runCli(['digest', '--dry-run', '--json', '--chart', file], { ...env, DATA_DIR: dataDir });
  expect(json.code).toBe(0);
  expect(Array.isArray((JSON.parse(json.stdout) as { blocks: unknown[] }).blocks)).toBe(true);
  expect(json.stderr).toContain('chart written to');
}, 40_000);

test('no earlier digest: no chart, exit 0, nothing written', async () => {
  const file = path.join(dataDir, 'trend.png');
  const result = await runCli(['digest', '--dry-run', '--chart', file], { ...env, DATA_DIR: dataDir });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('no chart: trend from next week');
  expect(fs.existsSync(file)).toBe(false);
});

test('--chart without --dry-run is a usage error', async () => {
  const result = await runCli(['digest', '--post', '--chart', path.join(dataDir, 'x.png')], {
    ...env,
    DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: 'xoxb-test-0000',
    DIGEST_CHANNEL: 'C0AAA',
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--chart');
  expect(fs.existsSync(path.join(dataDir, 'x.png'))).toBe(false);
});
