import client from 'prom-client';
import { endpointKey } from '../domain/endpoints';
import { countVerdicts, type EndpointVerdict, VERDICTS } from '../domain/probe-verdict';

export interface ProbeMetrics {
  /** Refreshes the probe gauges from the stored verdicts (call at scrape time). */
  refresh(): Promise<void>;
}

/**
 * What endpoints serve, as the last probe pass stored it, in the blackbox exporter's spirit:
 * endpoints by verdict always; with METRICS_PER_ENDPOINT, one series per endpoint for success,
 * the served leaf's end and the verdict (a label per endpoint multiplies series, so it is opt-in).
 */
export function createProbeMetrics(
  registry: client.Registry,
  input: { verdicts: () => Promise<EndpointVerdict[]>; perEndpoint: boolean },
): ProbeMetrics {
  const byVerdict = new client.Gauge({
    name: 'certbot_probe_endpoints',
    help: 'Endpoints by the verdict of the last probe pass (ok, old, unmanaged, expired, expiring, name-mismatch, chain, unreachable, alternating, pending).',
    labelNames: ['verdict'],
    registers: [registry],
  });
  const lastChecked = new client.Gauge({
    name: 'certbot_probe_last_checked_timestamp_seconds',
    help: 'When the latest stored probe ran (unix seconds); 0 before the first pass.',
    registers: [registry],
  });
  const success = input.perEndpoint
    ? new client.Gauge({
        name: 'certbot_probe_success',
        help: 'Whether the last probe of an endpoint completed a TLS handshake (1) or not (0).',
        labelNames: ['endpoint'],
        registers: [registry],
      })
    : undefined;
  const notAfter = input.perEndpoint
    ? new client.Gauge({
        name: 'certbot_probe_served_not_after_seconds',
        help: 'End of validity of the leaf certificate an endpoint served at its last probe (unix seconds).',
        labelNames: ['endpoint'],
        registers: [registry],
      })
    : undefined;
  const verdictOf = input.perEndpoint
    ? new client.Gauge({
        name: 'certbot_probe_verdict',
        help: 'The verdict of the last probe of an endpoint: 1 for its verdict.',
        labelNames: ['endpoint', 'verdict'],
        registers: [registry],
      })
    : undefined;

  return {
    async refresh() {
      const verdicts = await input.verdicts();
      const counts = countVerdicts(verdicts);
      for (const verdict of VERDICTS) byVerdict.set({ verdict }, counts[verdict]);
      lastChecked.set(Math.max(0, ...verdicts.map((v) => v.checkedAt.getTime() / 1000)));
      // Endpoints that left the target list must not linger as series.
      success?.reset();
      notAfter?.reset();
      verdictOf?.reset();
      for (const v of verdicts) {
        const endpoint = endpointKey(v.endpoint);
        success?.set({ endpoint }, v.failure ? 0 : 1);
        const end = v.served ? Date.parse(v.served.leaf.notAfter) : NaN;
        if (Number.isFinite(end)) notAfter?.set({ endpoint }, end / 1000);
        verdictOf?.set({ endpoint, verdict: v.verdict }, 1);
      }
    },
  };
}
