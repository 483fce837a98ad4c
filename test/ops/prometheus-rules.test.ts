import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { exportedMetrics, parsePromql, unknownNames } from '../helpers/promql';

/**
 * The shipped Prometheus alert rules, checked with npm packages only, so `npm test` needs no
 * Prometheus: the file has the shape Prometheus loads (rule groups), every expression parses
 * with Prometheus's own PromQL grammar (@prometheus-io/lezer-promql), and every metric it reads
 * is one the bot exports, with labels it carries. `npm run test:rules` adds promtool's checks
 * and unit tests (prometheus-alerts.promtool.test.ts).
 */
const DIR = path.join(__dirname, '..', '..', 'ops', 'prometheus');
const RULES = path.join(DIR, 'cert-bot-alerts.yml');
const RULE_TESTS = path.join(DIR, 'cert-bot-alerts.test.yml');

const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'a Prometheus duration such as 5m');
const labelMap = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string());
const rule = z
  .object({
    alert: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    record: z
      .string()
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
      .optional(),
    expr: z.string().min(1),
    for: duration.optional(),
    keep_firing_for: duration.optional(),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
  })
  .strict()
  .refine((r) => Boolean(r.alert) !== Boolean(r.record), 'a rule is either an alert or a record');
const rulesFile = z
  .object({
    groups: z.array(
      z.object({ name: z.string().min(1), interval: duration.optional(), rules: z.array(rule).min(1) }).strict(),
    ),
  })
  .strict();

const parsed = rulesFile.safeParse(YAML.parse(fs.readFileSync(RULES, 'utf8')));

test('the rules file has the shape Prometheus loads', () => {
  expect(parsed.error?.issues ?? []).toEqual([]);
});

const rules = parsed.success ? parsed.data.groups.flatMap((group) => group.rules) : [];

test('every expression is valid PromQL and reads only metrics the bot exports', async () => {
  const exported = await exportedMetrics();
  const problems = rules.flatMap((r) => {
    const { errors, selectors } = parsePromql(r.expr);
    // process_start_time_seconds comes with the default process metrics the bot registers.
    return [...errors, ...unknownNames(selectors, exported)].map((problem) => `${r.alert ?? r.record}: ${problem}`);
  });
  expect(problems).toEqual([]);
  expect(rules.length).toBeGreaterThan(0);
});

test('the check catches a misspelt metric and a broken expression', async () => {
  const exported = await exportedMetrics();
  const misspelt = parsePromql('certbot_inventory_last_sucess_timestamp_seconds > 0');
  expect(misspelt.errors).toEqual([]);
  expect(unknownNames(misspelt.selectors, exported)).toEqual([
    'certbot_inventory_last_sucess_timestamp_seconds is not exported by the bot',
  ]);
  expect(unknownNames(parsePromql('certbot_risk_count{kindd="expired"}').selectors, exported)).toEqual([
    'certbot_risk_count has no label kindd',
  ]);
  expect(parsePromql('sum by (account) (certbot_risk_count').errors).not.toEqual([]);
});

test('the alerts are the documented ones, each with a summary and a severity', () => {
  expect(rules.map((r) => r.alert)).toEqual([
    'CertBotCertificateExpiringSoon',
    'CertBotCertificateExpired',
    'CertBotInventorySyncStale',
    'CertBotEndpointsServeWrongCertificate',
  ]);
  for (const r of rules) {
    expect(r.annotations?.summary).toBeTruthy();
    expect(['warning', 'critical']).toContain(r.labels?.severity);
  }
});

test("promtool's unit tests load this rules file and only series the bot exports", async () => {
  const tests = YAML.parse(fs.readFileSync(RULE_TESTS, 'utf8')) as {
    rule_files: string[];
    tests: Array<{ input_series: Array<{ series: string }> }>;
  };
  expect(tests.rule_files).toEqual([path.basename(RULES)]);
  const exported = await exportedMetrics();
  const series = tests.tests.flatMap((t) => t.input_series.map((s) => s.series));
  const problems = series.flatMap((s) => {
    const { errors, selectors } = parsePromql(s);
    return [...errors, ...unknownNames(selectors, exported)];
  });
  expect(problems).toEqual([]);
});
