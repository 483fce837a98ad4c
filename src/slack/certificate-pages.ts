import { LRUCache } from 'lru-cache';
import { type CertificateView, fetchCertificates } from '../cas/certificate-views';
import type { CasApi, CertificateOrder } from '../cas/types';
import { renderCertificateList } from './blocks/list';

export const PAGE_SIZE = 10;

export interface CertificatePage {
  view: CertificateView;
  keyword?: string;
  page: number;
  total: number;
  items: CertificateOrder[];
}

/**
 * Sorting by days left needs the whole list, so a listing is fetched once and kept briefly:
 * Previous/Next then page through the same snapshot instead of refetching every page.
 */
export function createCertificatePages(cas: CasApi, now: () => Date, ttlMs = 60_000) {
  const lists = new LRUCache<string, CertificateOrder[]>({
    max: 100,
    ttl: ttlMs,
    fetchMethod: (key) => {
      const { view, keyword } = JSON.parse(key) as { view: CertificateView; keyword?: string };
      return fetchCertificates(cas, view, keyword, now());
    },
  });

  return async function pageOf(view: CertificateView, keyword: string | undefined, page: number) {
    const all = (await lists.fetch(JSON.stringify({ view, keyword: keyword || undefined }))) ?? [];
    const last = Math.max(0, Math.ceil(all.length / PAGE_SIZE) - 1);
    const current = Math.min(Math.max(0, page), last);
    return {
      view,
      keyword,
      page: current,
      total: all.length,
      items: all.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE),
    } satisfies CertificatePage;
  };
}

export type CertificatePages = ReturnType<typeof createCertificatePages>;

/** The Block Kit message of one page, as /cert-list and its buttons show it. */
export function renderCertificatePage(page: CertificatePage, now: Date) {
  return renderCertificateList({
    filter: { status: page.view, keyword: page.keyword },
    page: page.page,
    pageSize: PAGE_SIZE,
    total: page.total,
    items: page.items,
    now,
  });
}
