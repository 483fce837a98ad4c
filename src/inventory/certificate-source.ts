import type { AccountFailure } from '../accounts/account-failure';
import type { DeploymentState } from '../domain/deployment';
import type { DeployedResource } from '../store/types';
import type { Certificate } from '../domain/certificate';
import type { CertificateView } from '../domain/views';

/** A certificate in a list, with what the inventory knows beyond CAS's row. */
export interface ListedCertificate extends Certificate {
  /** Set when another certificate renewed this one (see domain/replacement): not at risk. */
  replacedBy?: Certificate & { firstSeen?: Date };
  /** When the inventory first saw it. */
  firstSeen?: Date;
  /** Where it is deployed, when the resources have been listed. */
  deployment?: { state: DeploymentState; resources: DeployedResource[] };
  /** Who acknowledged or snoozed its expiry alerts (see alerts/). */
  alert?: { acknowledgedBy?: string; acknowledgedAt?: Date; snoozedBy?: string; snoozedUntil?: Date };
}

/** Where a list came from and how fresh it is, so every answer can say so. */
export type Freshness =
  | { source: 'inventory'; syncedAt: Date; lastFailure?: { at: Date; message: string } }
  | { source: 'live'; reason: 'never-synced' | 'asked' | 'stale' };

export interface CertificateListing {
  /** Most urgent first (see domain/certificate-state inUrgencyOrder). */
  certificates: ListedCertificate[];
  freshness: Freshness;
  /** Accounts that could not be listed (the others' certificates are still here). */
  failures?: AccountFailure[];
}

/** Where lists of certificates come from: the stored inventory, or CAS when there is none yet. */
export interface CertificateSource {
  list(view: CertificateView, keyword: string | undefined, now: Date): Promise<CertificateListing>;
}
