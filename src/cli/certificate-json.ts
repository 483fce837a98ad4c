import { type CertificateState, certificateState } from '../domain/certificate-state';
import type { DeploymentState } from '../domain/deployment';
import { daysLeft } from '../domain/expiry';
import type { ListedCertificate } from '../inventory/certificate-source';

/**
 * The certificate model as scripts read it (`list --json`, `info --json`, `alerts --json`, and
 * the columns of `list --format csv`): the bot's own view of each certificate, with the one
 * state every surface shows, not CAS's rows. Every field is always present (null when not
 * known), so a script can rely on the shape; a change that breaks it raises CERTIFICATE_SCHEMA.
 * Documented in docs/cli.md ("The certificate model"). Pure: `now` is passed in.
 */
export const CERTIFICATE_SCHEMA = 1;

export interface CertificateResourceJson {
  id: string;
  cloud: string | null;
  product: string | null;
  region: string | null;
  instanceId: string | null;
  listenerId: string | null;
  listenerPort: string | null;
  domain: string | null;
}

export interface CertificateJson {
  account: string;
  /** The CertificateId as decimal digits (the InstanceId of an order without a certificate). */
  id: string;
  name: string | null;
  commonName: string | null;
  sans: string[];
  issuer: string | null;
  serial: string | null;
  fingerprint: string | null;
  /** The one state (src/domain/certificate-state.ts), as `/cert-list` and the digest name it. */
  state: CertificateState;
  /** Whole days until the end date, in UTC; negative once ended. */
  daysLeft: number | null;
  /** YYYY-MM-DD, as CAS reports it. */
  notBefore: string | null;
  /** YYYY-MM-DD, as CAS reports it (the certificate ends at the end of that day, UTC). */
  notAfter: string | null;
  uploaded: boolean;
  /** The ID of the certificate that renewed this one. */
  renewedBy: string | null;
  deployment: { state: DeploymentState; resources: CertificateResourceJson[] };
  acknowledged: { by: string; at: string | null } | null;
  /** ISO 8601, UTC, while a snooze lasts. */
  snoozedUntil: string | null;
}

export interface CertificatesDocument {
  schema: typeof CERTIFICATE_SCHEMA;
  certificates: CertificateJson[];
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined || value === '' ? null : value);

export function certificateJson(certificate: ListedCertificate, now: Date): CertificateJson {
  const c = certificate;
  const snoozed = c.alert?.snoozedUntil && c.alert.snoozedUntil.getTime() > now.getTime() ? c.alert.snoozedUntil : null;
  return {
    account: c.account,
    id: c.certificateId ?? c.id,
    name: orNull(c.name),
    commonName: orNull(c.commonName),
    sans: [...c.sans],
    issuer: orNull(c.issuer),
    serial: orNull(c.serialNo),
    fingerprint: orNull(c.fingerprint),
    state: certificateState(c, now),
    daysLeft: orNull(daysLeft(c.endDate, now)),
    notBefore: orNull(c.startDate),
    notAfter: orNull(c.endDate),
    uploaded: c.uploaded,
    renewedBy: c.replacedBy ? (c.replacedBy.certificateId ?? c.replacedBy.id) : null,
    deployment: {
      state: c.deployment?.state ?? 'unknown',
      resources: (c.deployment?.resources ?? []).map((r) => ({
        id: r.id,
        cloud: orNull(r.cloud),
        product: orNull(r.product),
        region: orNull(r.region),
        instanceId: orNull(r.instanceId),
        listenerId: orNull(r.listenerId),
        listenerPort: orNull(r.listenerPort),
        domain: orNull(r.domain),
      })),
    },
    acknowledged: c.alert?.acknowledgedBy
      ? { by: c.alert.acknowledgedBy, at: c.alert.acknowledgedAt?.toISOString() ?? null }
      : null,
    snoozedUntil: snoozed ? snoozed.toISOString() : null,
  };
}

export function certificatesDocument(certificates: readonly ListedCertificate[], now: Date): CertificatesDocument {
  return { schema: CERTIFICATE_SCHEMA, certificates: certificates.map((c) => certificateJson(c, now)) };
}

/** The CSV columns: the model's fields, one row per certificate, lists joined with spaces. */
export const CSV_COLUMNS = [
  'account',
  'id',
  'commonName',
  'sans',
  'issuer',
  'serial',
  'state',
  'daysLeft',
  'notAfter',
  'renewedBy',
  'deploymentState',
  'resources',
  'acknowledgedBy',
  'snoozedUntil',
] as const;

/** A resource in one CSV cell: its instance (or domain) and listener port, as `lb-1x2y:443`. */
function resourceCell(r: CertificateResourceJson): string {
  const where = r.domain ?? r.instanceId ?? r.id;
  return r.listenerPort ? `${where}:${r.listenerPort}` : where;
}

export function certificateCsvRow(c: CertificateJson): string[] {
  const cell = (value: string | number | null) => (value === null ? '' : String(value));
  return [
    c.account,
    c.id,
    cell(c.commonName),
    c.sans.join(' '),
    cell(c.issuer),
    cell(c.serial),
    c.state,
    cell(c.daysLeft),
    cell(c.notAfter),
    cell(c.renewedBy),
    c.deployment.state,
    c.deployment.resources.map(resourceCell).join(' '),
    cell(c.acknowledged?.by ?? null),
    cell(c.snoozedUntil),
  ];
}
