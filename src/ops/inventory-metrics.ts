import client from 'prom-client';
import type { Certificate } from '../domain/certificate';
import { CERTIFICATE_STATES } from '../domain/certificate-state';
import {
  type CertificateCounts,
  DAYS_BUCKETS,
  DEPLOYMENT_STATES,
  type ResourceCount,
  sumCounts,
} from '../domain/certificate-counts';

/** A certificate as the per-certificate gauge labels it. */
export type GaugedCertificate = Pick<Certificate, 'account' | 'id' | 'commonName' | 'issuer' | 'endDate'>;

/** What the gauges read of the stored inventory: counts, never the whole inventory. */
export interface InventoryReading {
  syncedAt: Date;
  /** Each account's counts by state, deployment and days left. */
  counts: readonly CertificateCounts[];
  /** Resources serving a certificate, by account, cloud and product. */
  resources: readonly ResourceCount[];
  /** One page of the certificates (METRICS_PER_CERTIFICATE only): `limit` after the first `offset`. */
  certificates?(offset: number, limit: number): Promise<{ certificates: GaugedCertificate[]; total: number }>;
}

/** Certificates the per-certificate gauge reads at a time. */
const GAUGE_PAGE = 1_000;

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
      const total = sumCounts(snapshot.counts);
      for (const state of CERTIFICATE_STATES) byState.set({ state }, total.states[state]);
      for (const bucket of DAYS_BUCKETS) byDays.set({ bucket }, total.days[bucket]);
      for (const state of DEPLOYMENT_STATES)
        byDeployment.set({ state: state === 'not-deployed' ? 'not_deployed' : state }, total.deployments[state]);
      const products = new Map<string, { cloud: string; product: string; n: number }>();
      for (const r of snapshot.resources) {
        const key = JSON.stringify([r.cloud, r.product]);
        const entry = products.get(key) ?? { cloud: r.cloud, product: r.product, n: 0 };
        entry.n += r.n;
        products.set(key, entry);
      }
      for (const { cloud, product, n } of products.values()) resourcesByProduct.set({ cloud, product }, n);
      if (!input.perCertificate || !snapshot.certificates) return;
      for (let offset = 0, total = 1; offset < total; offset += GAUGE_PAGE) {
        const page = await snapshot.certificates(offset, GAUGE_PAGE);
        total = page.total;
        for (const certificate of page.certificates) {
          const end = certificate.endDate ? Date.parse(`${certificate.endDate.slice(0, 10)}T00:00:00Z`) : Number.NaN;
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
        if (page.certificates.length === 0) break;
      }
    },
    syncFinished(outcome, seconds, account) {
      duration.observe({ outcome, account }, seconds);
      if (outcome === 'failed') failures.inc({ account });
    },
  };
}
