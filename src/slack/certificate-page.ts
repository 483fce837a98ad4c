import type { CertificateView } from '../domain/views';
import type { CertificateSource, Freshness, ListedCertificate } from '../inventory/certificate-source';
import { renderCertificateList } from './blocks/list';
import type { SlackMessage } from './blocks/types';

export const PAGE_SIZE = 10;

export interface CertificatePage {
  view: CertificateView;
  keyword?: string;
  page: number;
  total: number;
  items: ListedCertificate[];
  freshness: Freshness;
}

/** One page of a view; a page past the end shows the last one. */
export async function certificatePage(
  source: CertificateSource,
  request: { view: CertificateView; keyword?: string; page: number },
  now: Date,
): Promise<CertificatePage> {
  const { certificates: all, freshness } = await source.list(request.view, request.keyword, now);
  const last = Math.max(0, Math.ceil(all.length / PAGE_SIZE) - 1);
  const current = Math.min(Math.max(0, request.page), last);
  return {
    view: request.view,
    keyword: request.keyword,
    page: current,
    total: all.length,
    items: all.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE),
    freshness,
  };
}

/** The Block Kit message of one page, as /cert-list and its buttons show it. */
export function renderCertificatePage(page: CertificatePage, now: Date): SlackMessage {
  return renderCertificateList({
    filter: { status: page.view, keyword: page.keyword },
    page: page.page,
    pageSize: PAGE_SIZE,
    total: page.total,
    items: page.items,
    freshness: page.freshness,
    now,
  });
}
