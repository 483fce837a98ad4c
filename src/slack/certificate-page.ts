import type { CertificateView } from '../domain/views';
import type { AccountFailure } from '../accounts/account-failure';
import type { CertificateSource, Freshness, ListedCertificate } from '../inventory/certificate-source';
import { type InventoryReader, statusFreshness, statusOf } from '../inventory/inventory-reader';
import { renderCertificateList } from './blocks/list';
import type { SlackMessage } from './blocks/types';

export const PAGE_SIZE = 10;

export interface CertificatePage {
  view: CertificateView;
  keyword?: string;
  /** The one account listed, when narrowed to it. */
  account?: string;
  page: number;
  total: number;
  items: ListedCertificate[];
  freshness: Freshness;
  failures?: AccountFailure[];
}

/**
 * One page of a view; a page past the end shows the last one. With `stored` (the inventory and
 * the accounts listed), a page is one selection of the inventory once every account listed was
 * synced; before that, and without it, the page comes from `source` (CAS, live, until then).
 */
export async function certificatePage(
  source: CertificateSource,
  request: { view: CertificateView; keyword?: string; account?: string; page: number },
  now: Date,
  stored?: { inventory: Pick<InventoryReader, 'status' | 'select'>; accounts: readonly string[] },
): Promise<CertificatePage> {
  const status = stored && statusOf(await stored.inventory.status(now), stored.accounts);
  if (stored && status && (status.unsynced ?? []).length === 0) {
    const filter = { accounts: stored.accounts, view: request.view, keyword: request.keyword };
    const pageAt = (page: number) =>
      stored.inventory.select(filter, now, { offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    let current = Math.max(0, request.page);
    let selected = await pageAt(current);
    const last = Math.max(0, Math.ceil(selected.total / PAGE_SIZE) - 1);
    if (current > last) selected = await pageAt((current = last));
    return {
      view: request.view,
      keyword: request.keyword,
      ...(request.account !== undefined ? { account: request.account } : {}),
      page: current,
      total: selected.total,
      items: selected.certificates,
      freshness: statusFreshness(status),
    };
  }
  const { certificates: all, freshness, failures } = await source.list(request.view, request.keyword, now);
  const last = Math.max(0, Math.ceil(all.length / PAGE_SIZE) - 1);
  const current = Math.min(Math.max(0, request.page), last);
  return {
    view: request.view,
    keyword: request.keyword,
    ...(request.account !== undefined ? { account: request.account } : {}),
    page: current,
    total: all.length,
    items: all.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE),
    freshness,
    ...(failures && failures.length > 0 ? { failures } : {}),
  };
}

/** The Block Kit message of one page, as /cert-list and its buttons show it. */
export function renderCertificatePage(page: CertificatePage, now: Date): SlackMessage {
  return renderCertificateList({
    filter: { status: page.view, keyword: page.keyword, account: page.account },
    failures: page.failures,
    page: page.page,
    pageSize: PAGE_SIZE,
    total: page.total,
    items: page.items,
    freshness: page.freshness,
    now,
  });
}
