import { type Certificate, certificateFromOrder } from '../domain/certificate';
import { sortByDaysLeft } from '../domain/expiry';
import type { CertificateView } from '../domain/views';
import type { CasApi, CertificateOrder, ListFilter } from './types';

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
    case 'stale':
      // CAS lists no deployments with certificates: stale ones come from the inventory only.
      return [];
  }
}

/** Every CAS row of a view, all pages of every listing, deduplicated, in listing order. */
export async function fetchCertificateOrders(
  api: CasApi,
  view: CertificateView,
  keyword: string | undefined,
): Promise<CertificateOrder[]> {
  const listings = await Promise.all(
    filtersFor(view, keyword).map(async (filter) => {
      const items: CertificateOrder[] = [];
      for await (const item of api.listCertificates(filter)) items.push(item);
      return items;
    }),
  );
  const seen = new Set<string>();
  return listings.flat().filter((item) => {
    const id = String(item.CertificateId ?? item.InstanceId ?? item.SerialNo ?? Math.random());
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Every certificate of a view as the model, sorted by days left. */
export async function fetchCertificates(
  api: CasApi,
  view: CertificateView,
  keyword: string | undefined,
  now: Date,
  account: string,
): Promise<Certificate[]> {
  const orders = await fetchCertificateOrders(api, view, keyword);
  return sortByDaysLeft(
    orders.map((order) => certificateFromOrder(order, account)),
    now,
  );
}
