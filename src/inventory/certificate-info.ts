import { certificateNames } from '../domain/certificate';
import { covers } from '../domain/replacement';
import { certificatesOnResource } from '../domain/resource-match';
import type { AlertStore, ClaimStore, ProbeResultStore, StoredAlertState } from '../store/types';
import type { ListedCertificate } from './certificate-source';
import type { InventorySnapshot } from './stored-source';

/** Everything the bot knows about one certificate, for /cert-info and `cert-bot info`. */
export interface CertificateInfo {
  certificate: ListedCertificate;
  /** Its replacement as the inventory has it (with its own deployment), when it was renewed. */
  replacement?: ListedCertificate;
  /** Thresholds announced for it, and where. */
  alerts: Array<{ threshold: number; stale?: boolean; channel?: string; ts?: string; at?: Date }>;
  state?: StoredAlertState;
}

export interface InfoLookup {
  /**
   * What was searched: an ID, a cloud resource (instance or listener ID: the certificates it
   * serves), or a domain matched against CommonName and SANs (wildcards included).
   */
  query: { kind: 'id' | 'resource' | 'domain'; text: string };
  matches: ListedCertificate[];
  snapshot?: InventorySnapshot;
}

export interface InfoDeps {
  snapshot(now: Date): Promise<InventorySnapshot | undefined>;
  claims: ClaimStore;
  alerts: AlertStore;
  /** What endpoints served at the last probe pass; without it /cert-info says nothing of them. */
  probes?: { results: ProbeResultStore; enabled: boolean };
}

/**
 * A certificate ID (digits), a resource the inventory knows (`lb-…`, `lb-…:443`, a listener ID:
 * the certificates it serves), or a domain, which matches every certificate that covers it.
 */
export async function lookupCertificates(deps: InfoDeps, text: string, now: Date): Promise<InfoLookup> {
  const snapshot = await deps.snapshot(now);
  const certificates = snapshot?.certificates ?? [];
  if (/^\d{1,20}$/.test(text))
    return {
      query: { kind: 'id', text },
      matches: certificates.filter((c) => c.id === text || c.certificateId === text),
      snapshot,
    };
  const served = certificatesOnResource(certificates, text);
  if (served.length > 0) return { query: { kind: 'resource', text }, matches: served, snapshot };
  const matches = certificates.filter((c) => certificateNames(c).some((name) => covers(name, text.toLowerCase())));
  return { query: { kind: 'domain', text }, matches, snapshot };
}

export async function certificateInfo(
  deps: InfoDeps,
  certificate: ListedCertificate,
  now: Date,
): Promise<CertificateInfo> {
  const snapshot = await deps.snapshot(now);
  const replacement = certificate.replacedBy
    ? snapshot?.certificates.find((c) => c.account === certificate.account && c.id === certificate.replacedBy?.id)
    : undefined;
  const subject = `${certificate.account}/${certificate.id}`;
  const claims = [
    ...(await deps.claims.list('alert', 1_000, subject)),
    ...(await deps.claims.list('alert-stale', 1_000, subject)).map((c) => ({ ...c, stale: true })),
  ].filter((c) => c.status === 'posted');
  const alerts = claims
    .map((c) => ({
      threshold: Number(c.period),
      stale: 'stale' in c ? true : undefined,
      channel: typeof c.result?.channel === 'string' ? c.result.channel : undefined,
      ts: typeof c.result?.ts === 'string' ? c.result.ts : undefined,
      at: c.finishedAt,
    }))
    .sort((a, b) => b.threshold - a.threshold);
  return { certificate, replacement, alerts, state: await deps.alerts.state(certificate.account, certificate.id) };
}
