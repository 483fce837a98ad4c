import { LRUCache } from 'lru-cache';
import { fetchCertificates } from '../cas/certificate-views';
import type { CasApi } from '../cas/types';
import type { Certificate } from '../domain/certificate';
import type { CertificateView } from '../domain/views';
import type { CertificateListing, CertificateSource, Freshness } from './certificate-source';

export interface LiveSourceOptions {
  /** The account the certificates are filed under. */
  account: string;
  /** How long a finished listing is reused (Previous/Next page through the same one). */
  ttlMs?: number;
  /** Finished listings kept. */
  maxListings?: number;
  /** Why the list is live, as the answer says it. */
  reason?: Extract<Freshness, { source: 'live' }>['reason'];
}

/**
 * Lists read from CAS at request time. Sorting by days left needs the whole list, so a
 * listing is fetched once and kept briefly; identical requests in flight share one fetch.
 * Listings in flight are kept apart from the bounded cache of finished ones: a burst of more
 * distinct listings than the cache holds must make answers slower, never make them fail.
 */
export function liveCertificateSource(cas: CasApi, options: LiveSourceOptions): CertificateSource {
  const finished = new LRUCache<string, Certificate[]>({
    max: options.maxListings ?? 100,
    ttl: options.ttlMs ?? 60_000,
  });
  const inFlight = new Map<string, Promise<Certificate[]>>();

  return {
    async list(view: CertificateView, keyword: string | undefined, now: Date): Promise<CertificateListing> {
      const certificates = await fetchOnce(view, keyword, now);
      return { certificates, freshness: { source: 'live', reason: options.reason ?? 'never-synced' } };
    },
  };

  function fetchOnce(view: CertificateView, keyword: string | undefined, now: Date): Promise<Certificate[]> {
    const key = JSON.stringify({ view, keyword: keyword || undefined });
    const cached = finished.get(key);
    if (cached) return Promise.resolve(cached);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetchCertificates(cas, view, keyword || undefined, now, options.account)
        .then((certificates) => {
          finished.set(key, certificates);
          return certificates;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }
}
