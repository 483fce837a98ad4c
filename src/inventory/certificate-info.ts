import type { CertificateFilter } from '../domain/certificate-filter';
import type { AlertStore, ClaimStore, ProbeResultStore, StoredAlertState } from '../store/types';
import type { ListedCertificate } from './certificate-source';
import type { InventoryReader, InventoryStatus } from './inventory-reader';

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
  /** The inventory's status; unset before the first sync. */
  status?: InventoryStatus;
}

export interface InfoDeps {
  /** The stored inventory: the certificates a query names, and its status. */
  inventory: Pick<InventoryReader, 'status' | 'select'>;
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
  const status = await deps.inventory.status(now);
  const found = async (kind: InfoLookup['query']['kind'], filter: CertificateFilter): Promise<InfoLookup> => ({
    query: { kind, text },
    matches: status ? (await deps.inventory.select(filter, now)).certificates : [],
    ...(status ? { status } : {}),
  });
  if (/^\d{1,20}$/.test(text)) return found('id', { ids: [text] });
  const served = await found('resource', { onResource: text });
  if (served.matches.length > 0) return served;
  return found('domain', { coveringName: text.toLowerCase() });
}

export async function certificateInfo(
  deps: InfoDeps,
  certificate: ListedCertificate,
  now: Date,
): Promise<CertificateInfo> {
  const replacement = certificate.replacedBy
    ? (
        await deps.inventory.select({ keys: [{ account: certificate.account, id: certificate.replacedBy.id }] }, now, {
          limit: 1,
        })
      ).certificates[0]
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
