import { sortByDaysLeft } from './certificate-dates';
import type { CasApi, CertificateOrder, ListFilter } from './types';

/** The certificate lists a person can ask for, by the words they type. */
export const CERTIFICATE_VIEWS = ['all', 'expiring', 'expired', 'issued', 'uploaded'] as const;
export type CertificateView = (typeof CERTIFICATE_VIEWS)[number];

export function isCertificateView(value: string): value is CertificateView {
  return (CERTIFICATE_VIEWS as readonly string[]).includes(value);
}

/**
 * ListUserCertificateOrder takes one Status at a time and, left empty, returns only valid
 * certificates, so a view that includes expired ones is the union of two listings.
 */
export function filtersFor(view: CertificateView, keyword?: string): ListFilter[] {
  const base = { keyword: keyword || undefined };
  switch (view) {
    case 'expiring':
      return [{ ...base, orderType: 'CERT', status: 'WILLEXPIRED' }];
    case 'expired':
      return [{ ...base, orderType: 'CERT', status: 'EXPIRED' }];
    case 'issued':
      return [{ ...base, orderType: 'CERT', status: 'ISSUED' }];
    case 'uploaded':
      return [
        { ...base, orderType: 'UPLOAD' },
        { ...base, orderType: 'UPLOAD', status: 'EXPIRED' },
      ];
    case 'all':
      return [
        { ...base, orderType: 'CERT' },
        { ...base, orderType: 'CERT', status: 'EXPIRED' },
      ];
  }
}

/** Every certificate of a view, all pages of every listing, deduplicated and sorted by days left. */
export async function fetchCertificates(
  api: CasApi,
  view: CertificateView,
  keyword: string | undefined,
  now: Date,
): Promise<CertificateOrder[]> {
  const listings = await Promise.all(
    filtersFor(view, keyword).map(async (filter) => {
      const items: CertificateOrder[] = [];
      for await (const item of api.listCertificates(filter)) items.push(item);
      return items;
    }),
  );
  const seen = new Set<string>();
  const unique = listings.flat().filter((item) => {
    const id = String(item.CertificateId ?? item.InstanceId ?? item.SerialNo ?? Math.random());
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return sortByDaysLeft(unique, now);
}
