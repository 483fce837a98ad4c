import client from 'prom-client';
import type { Certificate } from '../domain/certificate';
import { CERTIFICATE_STATES, type StatefulCertificate, stateCounts } from '../domain/certificate-state';
import type { DeploymentState } from '../domain/deployment';
import { daysLeft, urgency } from '../domain/expiry';

/** What the gauges read of the stored inventory (the inventory's snapshot is one). */
export interface InventoryReading {
  syncedAt: Date;
  certificates: ReadonlyArray<
    StatefulCertificate &
      Pick<Certificate, 'account' | 'id' | 'commonName' | 'issuer'> & {
        deployment?: { state: DeploymentState; resources: ReadonlyArray<{ cloud?: string; product?: string }> };
      }
  >;
}

export interface InventoryMetrics {
  /** Refreshes the inventory gauges from the store's inventory (call at scrape time). */
  refresh(now: Date): Promise<void>;
  syncFinished(outcome: 'ok' | 'failed', seconds: number, account: string): void;
}

/**
 * Inventory gauges, computed from the stored inventory at scrape time, so every replica
 * reports the store's state (the one that synced and the ones that only read alike). The
 * per-certificate end-time gauge follows x509-certificate-exporter, so a team can write its
 * own alert for one domain (see ops/prometheus/cert-bot-alerts.yml).
 */
export function createInventoryMetrics(
  registry: client.Registry,
  input: {
    snapshot: (now: Date) => Promise<InventoryReading | undefined>;
    intervalSeconds: number;
    perCertificate: boolean;
  },
): InventoryMetrics {
  const byState = new client.Gauge({
    name: 'certbot_inventory_certificates',
    help: 'Certificates in the inventory by their one state, as every surface counts them: stale, expired, expiring, renewed, not-deployed, valid (each certificate in exactly one).',
    labelNames: ['state'],
    registers: [registry],
  });
  const byDays = new client.Gauge({
    name: 'certbot_inventory_certificates_by_days_left',
    help: 'Certificates in the inventory by days left: expired, le_7, le_30, gt_30, unknown.',
    labelNames: ['bucket'],
    registers: [registry],
  });
  const lastSuccess = new client.Gauge({
    name: 'certbot_inventory_last_success_timestamp_seconds',
    help: 'When the last successful inventory sync finished (unix seconds); 0 before the first.',
    registers: [registry],
  });
  const interval = new client.Gauge({
    name: 'certbot_inventory_sync_interval_seconds',
    help: 'INVENTORY_SYNC_MINUTES in seconds (0: no background sync).',
    registers: [registry],
  });
  interval.set(input.intervalSeconds);
  const duration = new client.Histogram({
    name: 'certbot_inventory_sync_duration_seconds',
    help: 'Duration of inventory syncs run by this process, by outcome and account.',
    labelNames: ['outcome', 'account'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const failures = new client.Counter({
    name: 'certbot_inventory_sync_failures_total',
    help: 'Inventory syncs run by this process that failed (the stored inventory was left as it was), by account.',
    labelNames: ['account'],
    registers: [registry],
  });
  const notAfter = new client.Gauge({
    name: 'certbot_inventory_certificate_not_after_seconds',
    help: 'End of validity of each certificate in the inventory (unix seconds; the end date at 00:00 UTC).',
    labelNames: ['account', 'certificate_id', 'common_name', 'issuer'],
    registers: [registry],
  });

  const byDeployment = new client.Gauge({
    name: 'certbot_inventory_certificates_by_deployment',
    help: 'Certificates by deployment: stale (renewed, old one still serving), deployed, not_deployed, unknown.',
    labelNames: ['state'],
    registers: [registry],
  });
  const resourcesByProduct = new client.Gauge({
    name: 'certbot_inventory_resources',
    help: 'Cloud resources serving a certificate, by cloud and product (ListCloudResources).',
    labelNames: ['cloud', 'product'],
    registers: [registry],
  });

  return {
    async refresh(now) {
      const snapshot = await input.snapshot(now);
      byState.reset();
      byDays.reset();
      byDeployment.reset();
      resourcesByProduct.reset();
      notAfter.reset();
      if (!snapshot) {
        lastSuccess.set(0);
        return;
      }
      lastSuccess.set(snapshot.syncedAt.getTime() / 1000);
      const buckets = { expired: 0, le_7: 0, le_30: 0, gt_30: 0, unknown: 0 };
      for (const certificate of snapshot.certificates) {
        const days = daysLeft(certificate.endDate, now);
        const level = urgency(days, certificate.expired);
        if (level === 'expired') buckets.expired += 1;
        else if (days === undefined) buckets.unknown += 1;
        else if (days <= 7) buckets.le_7 += 1;
        else if (days <= 30) buckets.le_30 += 1;
        else buckets.gt_30 += 1;
        if (input.perCertificate && certificate.endDate) {
          const end = Date.parse(`${certificate.endDate.slice(0, 10)}T00:00:00Z`);
          if (Number.isFinite(end))
            notAfter.set(
              {
                account: certificate.account,
                certificate_id: certificate.id,
                common_name: certificate.commonName ?? '',
                issuer: certificate.issuer ?? '',
              },
              end / 1000,
            );
        }
      }
      const deployment = { stale: 0, deployed: 0, not_deployed: 0, unknown: 0 };
      const products = new Map<string, { cloud: string; product: string; n: number }>();
      for (const certificate of snapshot.certificates) {
        const state = certificate.deployment?.state ?? 'unknown';
        deployment[state === 'not-deployed' ? 'not_deployed' : state] += 1;
        for (const r of certificate.deployment?.resources ?? []) {
          const key = `${r.cloud ?? ''} ${r.product ?? ''}`;
          const entry = products.get(key) ?? { cloud: r.cloud ?? '', product: r.product ?? '', n: 0 };
          entry.n += 1;
          products.set(key, entry);
        }
      }
      for (const [state, n] of Object.entries(deployment)) byDeployment.set({ state }, n);
      for (const { cloud, product, n } of products.values()) resourcesByProduct.set({ cloud, product }, n);
      const states = stateCounts(snapshot.certificates, now);
      for (const state of CERTIFICATE_STATES) byState.set({ state }, states[state]);
      for (const [bucket, n] of Object.entries(buckets)) byDays.set({ bucket }, n);
    },
    syncFinished(outcome, seconds, account) {
      duration.observe({ outcome, account }, seconds);
      if (outcome === 'failed') failures.inc({ account });
    },
  };
}
