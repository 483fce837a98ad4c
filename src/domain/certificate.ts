/**
 * The certificate model the rest of the bot speaks. CAS rows (ListUserCertificateOrder) are
 * turned into it in one place, `certificateFromOrder`; renderers, the digest, the CLI and the
 * inventory never read raw CAS rows. Pure: no I/O, no Slack.
 */
import { daysLeft, type Urgency, urgency } from './expiry';

export interface Certificate {
  /** The account the certificate belongs to (the AccessKey ID today; an account name later). */
  account: string;
  /**
   * Stable key within the account: the CertificateId as exact decimal digits, or the
   * InstanceId of an order that has no certificate yet.
   */
  id: string;
  certificateId?: string;
  instanceId?: string;
  /** The certificate's display name in CAS (Name). */
  name?: string;
  commonName?: string;
  /** Subject alternative names, in the order CAS lists them, without duplicates or blanks. */
  sans: string[];
  issuer?: string;
  serialNo?: string;
  /** SHA-1 of the certificate, hex, as CAS sends it (case and separators vary). */
  fingerprint?: string;
  /** SHA-256 of the certificate (CAS's Sha2), hex; what a served certificate is matched on. */
  sha2?: string;
  /** YYYY-MM-DD as CAS sends it. */
  startDate?: string;
  /** YYYY-MM-DD as CAS sends it. */
  endDate?: string;
  /** CAS's own Expired flag (used when the end date is missing or unreadable). */
  expired: boolean;
  /** An uploaded (not CAS-issued) certificate. */
  uploaded: boolean;
  /** CAS's order status, when it sent one. */
  status?: string;
  resourceGroupId?: string;
}

/** A certificate as seen at a moment: its days left and urgency follow from its end date. */
export interface DatedCertificate extends Certificate {
  daysLeft: number | undefined;
  urgency: Urgency;
}

/** The fields of a ListUserCertificateOrder row the model reads (a structural subset of the CAS type). */
export interface CertificateOrderRow {
  CertificateId?: number | string;
  InstanceId?: string;
  Name?: string;
  CommonName?: string;
  Sans?: string;
  Issuer?: string;
  SerialNo?: string;
  Fingerprint?: string;
  Sha2?: string;
  StartDate?: string;
  EndDate?: string;
  Expired?: boolean;
  Upload?: boolean;
  Status?: string;
  ResourceGroupId?: string;
}

// Blank strings mean "not sent"; anything else is kept as CAS sent it (renderers escape it).
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** Sans arrive as one comma-separated string; blanks and repeats are dropped. */
export function parseSans(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...new Set(value.split(/[,\s]+/).filter((name) => name.length > 0))];
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value.trim())) return value.trim();
  return undefined;
}

/** The one conversion from a CAS row to the model. */
export function certificateFromOrder(row: CertificateOrderRow, account: string): Certificate {
  const certificateId = idText(row?.CertificateId);
  const instanceId = text(row?.InstanceId);
  return {
    account,
    id: certificateId ?? instanceId ?? text(row?.SerialNo) ?? '',
    certificateId,
    instanceId,
    name: text(row?.Name),
    commonName: text(row?.CommonName),
    sans: parseSans(row?.Sans),
    issuer: text(row?.Issuer),
    serialNo: text(row?.SerialNo),
    fingerprint: text(row?.Fingerprint),
    sha2: text(row?.Sha2),
    startDate: text(row?.StartDate),
    endDate: text(row?.EndDate),
    expired: row?.Expired === true,
    uploaded: row?.Upload === true,
    status: text(row?.Status),
    resourceGroupId: text(row?.ResourceGroupId),
  };
}

/** The certificate with its days left and urgency at `now`. */
export function datedCertificate(certificate: Certificate, now: Date): DatedCertificate {
  const days = daysLeft(certificate.endDate, now);
  return { ...certificate, daysLeft: days, urgency: urgency(days, certificate.expired) };
}

/** Every name the certificate covers: its CommonName and each SAN, lowercased, without repeats. */
export function certificateNames(certificate: Pick<Certificate, 'commonName' | 'sans'>): string[] {
  const names = [certificate.commonName, ...certificate.sans].filter((n): n is string => typeof n === 'string');
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** What a person calls the certificate: its CommonName, else its CAS name, else its ID. */
export function displayName(certificate: Pick<Certificate, 'commonName' | 'name' | 'instanceId'>): string | undefined {
  return certificate.commonName ?? certificate.name ?? certificate.instanceId;
}
