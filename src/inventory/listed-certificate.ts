import type { StoredCertificate } from '../store/types';
import type { ListedCertificate } from './certificate-source';

/**
 * A row of the store's list query as lists show it: the replacement with its first sight, and
 * the deployment only once the account's resources were listed (as the inventory always said it).
 */
export function listedCertificate(row: StoredCertificate): ListedCertificate {
  return {
    ...row.certificate,
    firstSeen: row.firstSeen,
    ...(row.replacedBy ? { replacedBy: { ...row.replacedBy.certificate, firstSeen: row.replacedBy.firstSeen } } : {}),
    ...(row.deployment.state !== 'unknown' ? { deployment: row.deployment } : {}),
  };
}
