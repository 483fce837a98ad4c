import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busiestWindow, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, spawnSandbox } from '../../src/sandbox';
import { runCli } from '../helpers/run-cli';

/*
 * Timing-sensitive: the simulator judges one-second windows by when requests arrive, so it runs
 * in its own process (as CAS does) and this file in the serial jest pass (jest.timing.config.js).
 */
test('each account stays within its own QPS while both are busy (counted at the simulator)', async () => {
  // The simulator would allow far more: only the bot's own limiters keep each account in bounds.
  const sandbox = await spawnSandbox({ certs: 300, seed: 21, qps: 1_000, accounts: ['prod', 'staging'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-account-qps-'));
  try {
    const file = path.join(dir, 'accounts.yaml');
    fs.writeFileSync(
      file,
      [
        '- name: prod',
        `  site: ${sandbox.url}`,
        '  accessKeyId: PROD_KEY_ID',
        '  accessKeySecret: PROD_KEY_SECRET',
        '  qps: 6',
        '- name: staging',
        `  site: ${sandbox.url}`,
        '  accessKeyId: STAGING_KEY_ID',
        '  accessKeySecret: STAGING_KEY_SECRET',
        '  qps: 3',
      ].join('\n'),
    );
    const result = await runCli(
      ['sync'],
      {
        CAS_ACCOUNTS_FILE: file,
        PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
        PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
        STAGING_KEY_ID: 'LTAI5tSandboxKeyId000002',
        STAGING_KEY_SECRET: 'sandbox-secret-2-do-not-use-in-production',
        DATA_DIR: path.join(dir, 'data'),
      },
      60_000,
    );
    expect(result.code).toBe(0);
    const calls = await sandbox.calls();
    const of = (account: string) => calls.filter((c) => c.account === account && c.status === 200);
    const [prod, staging] = [of('prod'), of('staging')];
    expect(prod.length).toBeGreaterThan(12);
    expect(staging.length).toBeGreaterThan(12);
    // Both were busy at once: their calls overlap in time.
    expect(Math.min(prod.at(-1)?.at ?? 0, staging.at(-1)?.at ?? 0)).toBeGreaterThan(
      Math.max(prod[0]?.at ?? 0, staging[0]?.at ?? 0),
    );
    expect(busiestWindow(prod)).toBeLessThanOrEqual(6);
    expect(busiestWindow(staging)).toBeLessThanOrEqual(3);
    expect((await sandbox.stats()).throttled).toBe(0);
  } finally {
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
