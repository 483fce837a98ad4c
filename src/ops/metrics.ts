import client from 'prom-client';
import type { EventEmitter } from 'node:events';
import type { CasClientEvents } from '../cas/client';
import type { AssetCount, RiskCount } from '../cas/types';
import { RISK_KINDS, riskRows } from '../domain/risk';
import { createInventoryMetrics, type InventoryMetrics } from './inventory-metrics';
import { createProbeMetrics, type ProbeMetrics } from './probe-metrics';

/**
 * The bot's Prometheus metrics, on a registry of its own so tests can build several apps in
 * one process. Risk counts and the health score are gauges too, so a team that already
 * alerts with Prometheus can alert on expiring certificates directly.
 */
export interface Metrics {
  registry: client.Registry;
  /** Counts the calls, throttling answers and retries an account's CAS client reports (`client.events`). */
  watchCas(events: EventEmitter<CasClientEvents>, account: string): void;
  observe: {
    commandAcked(command: string, ms: number): void;
    commandAnswered(command: string, ms: number, outcome: 'ok' | 'error'): void;
    digestRun(outcome: string): void;
    alertPosted(threshold: number): void;
    alertsDue(count: number): void;
    alertPostFailed(reason: string): void;
    alertAction(kind: 'acknowledge' | 'snooze'): void;
    deploymentFinished(outcome: string): void;
    deploymentWorkers(outcome: 'deployed' | 'failed', count: number): void;
  };
  /** Where the queue-depth gauge reads its number at scrape time, e.g. `() => cas.queueDepth()`. */
  watchQueueDepth(source: () => number): void;
  /** The exposition text of a scrape, risk gauges refreshed first. */
  render(): Promise<string>;
  /** Where an account's risk gauges read their numbers at scrape time (cached CAS reads). */
  watchRisk(source: () => Promise<{ risk: RiskCount; assets: AssetCount }>, account: string): void;
  /** The probe gauges, refreshed from the stored verdicts at scrape time. */
  watchProbes(input: Parameters<typeof createProbeMetrics>[1]): void;
  /** The inventory gauges, refreshed from the store at scrape time. */
  watchInventory(input: Parameters<typeof createInventoryMetrics>[1]): InventoryMetrics;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const seconds = (ms: number) => ms / 1000;

  const deployments = new client.Counter({
    name: 'certbot_deployments_total',
    help: 'Deployment requests by how they ended (deployed, partly, failed, rejected, expired, nothing-left).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const deploymentWorkers = new client.Counter({
    name: 'certbot_deployment_workers_total',
    help: 'Resources of finished deployment jobs, by outcome (deployed, failed).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const casCalls = new client.Counter({
    name: 'certbot_cas_calls_total',
    help: 'CAS calls by operation and outcome (ok, throttled, auth, bad_input, not_found, unavailable, invalid_response).',
    labelNames: ['operation', 'outcome', 'account'],
    registers: [registry],
  });
  const casDuration = new client.Histogram({
    name: 'certbot_cas_call_duration_seconds',
    help: 'Duration of one CAS call attempt.',
    labelNames: ['operation', 'account'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const casThrottled = new client.Counter({
    name: 'certbot_cas_throttled_total',
    help: 'CAS answers that were throttling errors (Throttling*).',
    labelNames: ['operation', 'account'],
    registers: [registry],
  });
  const casRetries = new client.Counter({
    name: 'certbot_cas_retries_total',
    help: 'CAS call attempts retried after throttling or a transient failure.',
    labelNames: ['operation', 'account'],
    registers: [registry],
  });
  const ack = new client.Histogram({
    name: 'certbot_command_ack_seconds',
    help: 'Time from receiving a slash command to acknowledging it (Slack allows 3 s).',
    labelNames: ['command'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  const answer = new client.Histogram({
    name: 'certbot_command_answer_seconds',
    help: 'Time from receiving a slash command to its answer through response_url.',
    labelNames: ['command', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const digestRuns = new client.Counter({
    name: 'certbot_digest_runs_total',
    help: 'Digest posts per channel by outcome (posted, failed, skipped, released).',
    labelNames: ['outcome'],
    registers: [registry],
  });

  const alertsPosted = new client.Counter({
    name: 'certbot_alerts_posted_total',
    help: 'Certificate alerts posted, by the threshold crossed (days; 0 is the expiry day).',
    labelNames: ['threshold'],
    registers: [registry],
  });
  const alertsDue = new client.Gauge({
    name: 'certbot_alerts_due',
    help: 'Alerts due but not yet posted at the last alert pass (held outside ALERT_HOURS, or their post failed).',
    registers: [registry],
  });
  const alertFailures = new client.Counter({
    name: 'certbot_alert_post_failures_total',
    help: 'Alert messages that could not be posted, by Slack error (the alerts stay due).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const alertActions = new client.Counter({
    name: 'certbot_alert_actions_total',
    help: 'Acknowledgements and snoozes pressed on alerts.',
    labelNames: ['action'],
    registers: [registry],
  });

  const queueDepths: (() => number)[] = [];
  new client.Gauge({
    name: 'certbot_cas_limiter_queue_depth',
    help: 'CAS calls waiting for or holding a rate-limiter slot.',
    registers: [registry],
    collect() {
      this.set(queueDepths.reduce((sum, depth) => sum + depth(), 0));
    },
  });

  const riskSources = new Map<string, () => Promise<{ risk: RiskCount; assets: AssetCount }>>();
  const riskGauge = new client.Gauge({
    name: 'certbot_risk_count',
    help: 'Certificate risks by kind and account, from GetRiskCount (cached for CAS_CACHE_TTL_SECONDS).',
    labelNames: ['kind', 'account'],
    registers: [registry],
  });
  const scoreGauge = new client.Gauge({
    name: 'certbot_health_score',
    help: 'Certificate health score of an account (GetAssetCount Point).',
    labelNames: ['account'],
    registers: [registry],
  });
  // Refreshed when scraped; a failing CAS leaves the last values (and counts in certbot_cas_calls_total).
  let inventory: InventoryMetrics | undefined;
  let probes: ProbeMetrics | undefined;
  const refreshAccountRisk = async (
    account: string,
    source: () => Promise<{ risk: RiskCount; assets: AssetCount }>,
  ) => {
    try {
      const { risk, assets } = await source();
      const rows = riskRows(risk);
      for (const kind of RISK_KINDS) riskGauge.remove({ kind: kind.key, account });
      for (const row of rows.byKind) riskGauge.set({ kind: row.key, account }, row.count);
      riskGauge.set({ kind: 'total', account }, rows.total);
      if (typeof assets.Point === 'number') scoreGauge.set({ account }, assets.Point);
    } catch {
      // Keep the account's previous values; the failure itself is visible in the CAS call counters.
    }
  };
  const refreshRisk = () =>
    Promise.all([...riskSources].map(([account, source]) => refreshAccountRisk(account, source)));

  return {
    registry,
    watchInventory(input) {
      inventory = createInventoryMetrics(registry, input);
      return inventory;
    },
    watchProbes(input) {
      probes = createProbeMetrics(registry, input);
    },
    async render() {
      await refreshRisk();
      // A store that fails leaves the previous values; readiness reports the store itself.
      await inventory?.refresh(new Date()).catch(() => undefined);
      await probes?.refresh().catch(() => undefined);
      return registry.metrics();
    },
    watchCas(events, account) {
      events.on('call', (operation, outcome, durationMs) => {
        casCalls.inc({ operation, outcome, account });
        casDuration.observe({ operation, account }, seconds(durationMs));
        if (outcome === 'throttled') casThrottled.inc({ operation, account });
      });
      events.on('retry', (operation) => casRetries.inc({ operation, account }));
    },
    observe: {
      commandAcked: (command, ms) => ack.observe({ command }, seconds(ms)),
      commandAnswered: (command, ms, outcome) => answer.observe({ command, outcome }, seconds(ms)),
      digestRun: (outcome) => digestRuns.inc({ outcome }),
      alertPosted: (threshold) => alertsPosted.inc({ threshold: String(threshold) }),
      alertsDue: (count) => alertsDue.set(count),
      alertPostFailed: (reason) => alertFailures.inc({ reason }),
      alertAction: (action) => alertActions.inc({ action }),
      deploymentFinished: (outcome) => deployments.inc({ outcome }),
      deploymentWorkers: (outcome, count) => deploymentWorkers.inc({ outcome }, count),
    },
    watchQueueDepth: (source) => {
      queueDepths.push(source);
    },
    watchRisk: (source, account) => {
      riskSources.set(account, source);
    },
  };
}
