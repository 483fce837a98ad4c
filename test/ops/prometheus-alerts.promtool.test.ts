import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The shipped Prometheus alert rules, checked by Prometheus's own tool: `promtool check rules`
 * (syntax, PromQL, templates) and `promtool test rules` (the alerts fire, and only fire, on
 * synthetic series). No npm package provides promtool, so this file runs apart from `npm test`,
 * as `npm run test:rules` (jest.rules.config.js); .ci/run installs promtool and runs it.
 * `npm test` checks the same file with npm packages only (prometheus-rules.test.ts).
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
  expect([code, output]).toEqual([0, expect.stringContaining('SUCCESS: 4 rules found')]);
});

test('the alert rules fire as their unit tests expect', () => {
  const { code, output } = promtool('test', 'rules', RULE_TESTS);
  expect([code, output]).toEqual([0, expect.stringContaining('SUCCESS')]);
});
