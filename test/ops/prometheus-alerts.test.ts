import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The shipped Prometheus alert rules, checked by Prometheus's own tool: `promtool check rules`
 * (syntax, PromQL, templates) and `promtool test rules` (the alerts fire, and only fire, on
 * synthetic series). promtool is required: .ci/run installs it; elsewhere install Debian's
 * `prometheus` package.
 */
const DIR = path.join(__dirname, '..', '..', 'ops', 'prometheus');
const RULES = path.join(DIR, 'cert-bot-alerts.yml');
const RULE_TESTS = path.join(DIR, 'cert-bot-alerts.test.yml');

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8', timeout: 20_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'promtool is not on PATH, so the alert rules in ops/prometheus cannot be checked. Install it: ' +
        '`apt-get install -y --no-install-recommends prometheus` (Debian/Ubuntu; .ci/run does this), ' +
        'or put the promtool binary from a Prometheus release on PATH.',
    );
  }
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

test('promtool accepts the alert rules', () => {
  const { code, output } = promtool('check', 'rules', RULES);
  expect([code, output]).toEqual([0, expect.stringContaining('SUCCESS: 3 rules found')]);
});

test('the alert rules fire as their unit tests expect', () => {
  const { code, output } = promtool('test', 'rules', RULE_TESTS);
  expect([code, output]).toEqual([0, expect.stringContaining('SUCCESS')]);
});

test('the rules read the inventory metrics by their names', () => {
  const rules = fs.readFileSync(RULES, 'utf8');
  for (const metric of [
    'certbot_inventory_certificate_not_after_seconds',
    'certbot_inventory_last_success_timestamp_seconds',
    'certbot_inventory_sync_interval_seconds',
  ]) {
    expect(rules).toContain(metric);
  }
  const alerts = [...rules.matchAll(/- alert: (\S+)/g)].map((m) => m[1]);
  expect(alerts).toEqual(['CertBotCertificateExpiringSoon', 'CertBotCertificateExpired', 'CertBotInventorySyncStale']);
});
