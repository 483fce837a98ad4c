import { parser } from '@prometheus-io/lezer-promql';
import client from 'prom-client';
import { createMetrics } from '../../src/ops/metrics';

/** A metric an expression reads, with the label names its matchers use. */
export interface Selector {
  metric: string;
  labels: string[];
}

export interface ParsedExpression {
  /** Where the parser gave up: empty when the expression is valid PromQL. */
  errors: string[];
  selectors: Selector[];
}

/**
 * Grafana's built-in interval variables are not PromQL: replaced by a duration before parsing,
 * as Grafana does before it sends the query. Template variables inside label values (`"$account"`)
 * are strings and need nothing.
 */
function withoutGrafanaIntervals(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{__(rate_interval|interval|range)\}/g, '5m');
}

/** Parses one PromQL expression with Prometheus's own grammar (the one its web UI uses). */
export function parsePromql(source: string): ParsedExpression {
  const expr = withoutGrafanaIntervals(source);
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      errors.push(`syntax error at ${cursor.from}: …${expr.slice(Math.max(0, cursor.from - 20), cursor.from + 20)}…`);
    }
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node;
      const identifier = node.getChild('Identifier');
      const labels = node
        .getChildren('LabelMatchers')
        .flatMap((matchers) => matchers.getChildren('UnquotedLabelMatcher'))
        .map((matcher) => matcher.getChild('LabelName'))
        .filter((name) => name !== null)
        .map((name) => expr.slice(name.from, name.to));
      selectors.push({ metric: identifier ? expr.slice(identifier.from, identifier.to) : '', labels });
    }
  } while (cursor.next());
  return { errors, selectors };
}

/** Labels Prometheus adds to every scraped series, whatever the exporter. */
export const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'container'];

/**
 * Every series name the bot's /metrics can expose, with its label names: the registry `serve`
 * builds, inventory gauges included, and the suffixed series of histograms.
 */
export async function exportedMetrics(): Promise<Map<string, string[]>> {
  const metrics = createMetrics();
  metrics.watchInventory({ snapshot: async () => undefined, intervalSeconds: 0, perCertificate: true });
  metrics.watchProbes({ verdicts: async () => [], perEndpoint: true });
  const exported = new Map<string, string[]>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const labelNames = [...new Set((metric.values ?? []).flatMap((value) => Object.keys(value.labels ?? {})))];
    // prom-client reports only the labels of values it has; the declared ones come from the metric itself.
    const instance = metrics.registry.getSingleMetric(metric.name);
    // prom-client keeps the declared label names on the instance without typing them.
    const declared = (instance as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [];
    const labels = [...new Set([...declared, ...labelNames])];
    if (instance instanceof client.Histogram) {
      exported.set(`${metric.name}_bucket`, [...labels, 'le']);
      exported.set(`${metric.name}_sum`, labels);
      exported.set(`${metric.name}_count`, labels);
    } else {
      exported.set(metric.name, labels);
    }
  }
  return exported;
}

/** What is wrong with the metrics an expression names: unknown metrics, or labels they do not carry. */
export function unknownNames(selectors: Selector[], exported: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const { metric, labels } of selectors) {
    const known = exported.get(metric);
    if (!known) {
      problems.push(`${metric || '(a selector without a metric name)'} is not exported by the bot`);
      continue;
    }
    for (const label of labels) {
      if (label !== '__name__' && !known.includes(label) && !TARGET_LABELS.includes(label)) {
        problems.push(`${metric} has no label ${label}`);
      }
    }
  }
  return problems;
}
