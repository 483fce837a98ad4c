import type { Certificate } from '../domain/certificate';
import { shownAccount } from '../render/accounts';

/**
 * A certificate in `--json` output, under the field names CAS uses (CertificateId, CommonName,
 * EndDate, …), so scripts written against ListUserCertificateOrder read it unchanged.
 */
export function certificateJson(certificate: Certificate): Record<string, unknown> {
  const id = certificate.certificateId;
  const entries: Array<[string, unknown]> = [
    // Not a CAS field: which configured account it belongs to (none for the environment's one).
    ['account', shownAccount(certificate.account)],
    ['CertificateId', id !== undefined && Number.isSafeInteger(Number(id)) ? Number(id) : id],
    ['InstanceId', certificate.instanceId],
    ['Name', certificate.name],
    ['CommonName', certificate.commonName],
    ['Sans', certificate.sans.length > 0 ? certificate.sans.join(',') : undefined],
    ['Issuer', certificate.issuer],
    ['SerialNo', certificate.serialNo],
    ['Fingerprint', certificate.fingerprint],
    ['StartDate', certificate.startDate],
    ['EndDate', certificate.endDate],
    ['Expired', certificate.expired],
    ['Upload', certificate.uploaded],
    ['Status', certificate.status],
    ['ResourceGroupId', certificate.resourceGroupId],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}
