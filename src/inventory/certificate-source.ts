import type { Certificate } from '../domain/certificate';
import type { CertificateView } from '../domain/views';

/** Where lists of certificates come from: CAS directly today, the stored inventory next. */
export interface CertificateSource {
  /** Every certificate of the view (optionally matching a keyword), soonest to expire first. */
  list(view: CertificateView, keyword: string | undefined, now: Date): Promise<Certificate[]>;
}
