import fs from 'node:fs';
import path from 'node:path';
import { exportedMetrics, parsePromql, unknownNames } from '../helpers/promql';

/**
 * ops/grafana/cert-bot.json: every panel query is valid PromQL (Prometheus's own grammar, after
 * Grafana's $__rate_interval is filled in) and reads only metrics and labels the bot exports,
 * so a renamed metric breaks this test instead of a dashboard nobody looks at until an outage.
 */
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

const dashboard = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'ops', 'grafana', 'cert-bot.json'), 'utf8'),
) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

test('every query parses and names only metrics and labels the bot exports', async () => {
  const exported = await exportedMetrics();
  const problems = queries.flatMap(({ panel, expr }) => {
    const { errors, selectors } = parsePromql(expr);
    return [...errors, ...unknownNames(selectors, exported)].map((problem) => `${panel}: ${problem}`);
  });
  expect(problems).toEqual([]);
  expect(queries.length).toBeGreaterThan(15);
});

test('the dashboard covers what an operator watches', () => {
  const read = new Set(queries.flatMap(({ expr }) => parsePromql(expr).selectors.map((s) => s.metric)));
  for (const metric of [
    'certbot_inventory_certificates_by_days_left',
    'certbot_inventory_certificates',
    'certbot_inventory_certificates_by_deployment',
    'certbot_inventory_sync_duration_seconds_sum',
    'certbot_inventory_sync_failures_total',
    'certbot_inventory_last_success_timestamp_seconds',
    'certbot_cas_calls_total',
    'certbot_cas_throttled_total',
    'certbot_alerts_posted_total',
    'certbot_alerts_due',
    'certbot_command_ack_seconds_bucket',
  ])
    expect([metric, read.has(metric)]).toEqual([metric, true]);
});

test('panels use the dashboard datasource variable, have unique ids and lie on the 24-column grid', () => {
  expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
  expect(dashboard.templating.list.find((v) => v.name === 'account')?.type).toBe('query');
  const ids = panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of panels) {
    expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    if (p.type === 'row') continue;
    expect([p.title, p.datasource?.uid]).toEqual([p.title, '${datasource}']);
    for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
  }
});
