import Bottleneck from 'bottleneck';
import { isCasError } from '../cas/errors';
import type { CasApi, CertificateOrder, ListFilter } from '../cas/types';
import { type Certificate, certificateFromOrder } from '../domain/certificate';
import type { Logger } from '../ops/logger';
import type { DeployedResource, InventoryChanges, InventoryStore, ResourceStore, SyncRecord } from '../store/types';
import { deployedResourceFromRow } from './resource-row';

/**
 * Every listing a complete inventory needs. ListUserCertificateOrder with an empty Status
 * returns only valid certificates, so expired ones are listed on their own. OrderType CERT
 * holds issued and uploaded certificates alike (each row says which), so the UPLOAD listings
 * would only page the uploaded ones a second time.
 */
export const SYNC_LISTINGS: readonly ListFilter[] = [{ orderType: 'CERT' }, { orderType: 'CERT', status: 'EXPIRED' }];

export const SYNC_PAGE_SIZE = 50;
/**
 * Pages of one sync in flight or queued at once. The limiter admits up to CAS_MAX_CONCURRENT
 * calls, and a call a person waits for can only overtake calls not yet admitted; with a few
 * pages outstanding it waits behind at most those few, and at CAS latencies of 100 ms or so
 * three pages in flight still keep the whole QPS budget busy.
 */
export const SYNC_PAGES_IN_FLIGHT = 3;
/** A listing whose TotalCount moved while it was paged is listed again, at most this often. */
const MAX_PASSES = 3;

export interface SyncProgress {
  pagesDone: number;
  /** Pages known so far (grows as each listing's first page gives its TotalCount). */
  pagesTotal: number;
}

export interface SyncDeps {
  cas: CasApi;
  inventory: InventoryStore;
  /** Where certificates are deployed; without it the sync lists certificates only. */
  resources?: ResourceStore;
  account: string;
  now: () => Date;
  logger: Logger;
}

export interface SyncSummary extends InventoryChanges {
  account: string;
  pages: number;
  calls: number;
  seconds: number;
  /** Cloud resources listed, when that listing succeeded. */
  resources?: number;
  /** Why the resource listing failed (the previous resources stay in use); the certificates were synced. */
  resourcesError?: string;
}

/** A sync that did not complete; the stored inventory was left as it was. */
export class SyncError extends Error {
  constructor(
    message: string,
    readonly detail: NonNullable<SyncRecord['error']>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SyncError';
  }
}

/**
 * One sync of one account: pages every listing at bulk priority (a person's calls go first),
 * then replaces the stored inventory in one transaction. Any failure (CAS down, throttled past
 * the retries, a malformed page) leaves the stored inventory whole, is recorded as a failed
 * sync, and is thrown as a SyncError.
 */
export async function syncInventory(
  deps: SyncDeps,
  options: { onProgress?: (progress: SyncProgress) => void; pageSize?: number; pagesInFlight?: number } = {},
): Promise<SyncSummary> {
  const startedAt = deps.now();
  const started = performance.now();
  const pageSize = options.pageSize ?? SYNC_PAGE_SIZE;
  const progress: SyncProgress = { pagesDone: 0, pagesTotal: 0 };
  const report = () => options.onProgress?.({ ...progress });
  let calls = 0;

  // At most SYNC_PAGES_IN_FLIGHT pages of this sync wait for the CAS limiter at once.
  const pool = new Bottleneck({ maxConcurrent: options.pagesInFlight ?? SYNC_PAGES_IN_FLIGHT });
  const slot = <T>(work: () => Promise<T>): Promise<T> => pool.schedule(work);

  const page = <T>(work: () => Promise<T>) =>
    slot(async () => {
      calls += 1;
      const result = await work();
      progress.pagesDone += 1;
      report();
      return result;
    });

  const certificatePage = (filter: ListFilter, number: number) =>
    page(() => deps.cas.listCertificatePage({ ...filter, pageSize, priority: 'bulk' }, number));

  /** One listing, all pages; listed again when its TotalCount moved meanwhile (added or removed certificates). */
  const listing = async (filter: ListFilter): Promise<CertificateOrder[]> => {
    const seen = new Map<string, CertificateOrder>();
    for (let pass = 1; ; pass++) {
      const first = await certificatePage(filter, 1);
      const pages = Math.max(1, Math.ceil(first.TotalCount / pageSize));
      progress.pagesTotal += pages;
      report();
      const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => certificatePage(filter, i + 2)));
      for (const result of [first, ...rest]) for (const row of result.CertificateOrderList) seen.set(rowKey(row), row);
      const stable = rest.every((result) => result.TotalCount === first.TotalCount);
      if (stable || pass >= MAX_PASSES) return [...seen.values()];
      deps.logger.info({ listing: filter, pass }, 'certificates changed while listing; listing again');
    }
  };

  try {
    const listings = await Promise.all(SYNC_LISTINGS.map(listing));
    const certificates = new Map<string, Certificate>();
    for (const row of listings.flat()) {
      const certificate = certificateFromOrder(row, deps.account);
      if (certificate.id !== '') certificates.set(certificate.id, certificate);
    }
    const changes = await deps.inventory.replace(deps.account, [...certificates.values()], {
      startedAt,
      finishedAt: deps.now(),
      pages: progress.pagesDone,
      calls,
    });
    const resources = deps.resources ? await syncResources(deps, deps.resources, page) : undefined;
    return {
      account: deps.account,
      ...changes,
      pages: progress.pagesDone,
      calls,
      seconds: (performance.now() - started) / 1000,
      resources: resources?.count,
      resourcesError: resources?.error,
    };
  } catch (error) {
    const detail = describeFailure(error);
    await deps.inventory
      .recordFailure({
        account: deps.account,
        startedAt,
        finishedAt: deps.now(),
        pages: progress.pagesDone,
        calls,
        error: detail,
      })
      .catch(() => undefined); // the store may be what failed; the log line below still says so
    throw new SyncError(`inventory sync of ${deps.account} failed: ${detail.message}`, detail, { cause: error });
  }
}

function rowKey(row: CertificateOrder): string {
  return String(row.CertificateId ?? row.InstanceId ?? row.SerialNo ?? JSON.stringify(row));
}

function describeFailure(error: unknown): NonNullable<SyncRecord['error']> {
  if (isCasError(error))
    return {
      kind: error.kind,
      code: error.code,
      message: `${error.message}. ${error.hint}`,
      requestId: error.requestId,
    };
  const message = (error as { message?: unknown })?.message;
  return {
    kind: 'internal',
    message: typeof message === 'string' ? message.split('\n')[0].slice(0, 300) : 'unexpected error',
  };
}

const RESOURCE_PAGE_SIZE = 50;

/**
 * Where each certificate is deployed: every page of ListCloudResources, at the same bulk
 * priority, into the store in one transaction. A failure (a RAM policy without
 * yundun-cert:ListCloudResources, throttling, a malformed page) keeps the previous resources
 * and is recorded with the RAM action to grant; the certificate sync stands.
 */
async function syncResources(
  deps: SyncDeps,
  store: ResourceStore,
  page: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<{ count?: number; error?: string }> {
  const list = (n: number) =>
    page(() => deps.cas.listCloudResourcePage(n, { pageSize: RESOURCE_PAGE_SIZE, priority: 'bulk' }));
  try {
    const first = await list(1);
    const pages = Math.max(1, Math.ceil(first.Total / RESOURCE_PAGE_SIZE));
    const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => list(i + 2)));
    const resources: DeployedResource[] = [first, ...rest].flatMap((result) =>
      result.Data.map((r) => deployedResourceFromRow(r, deps.account)),
    );
    const { resources: count } = await store.replace(deps.account, resources, deps.now());
    return { count };
  } catch (error) {
    const detail = describeFailure(error);
    const ramAction = isCasError(error) ? error.ramAction : undefined;
    await store
      .recordFailure(deps.account, deps.now(), { message: detail.message, ramAction, requestId: detail.requestId })
      .catch(() => undefined);
    deps.logger.error(
      { failure: { ...detail, ramAction } },
      `listing where certificates are deployed failed${ramAction ? ` (grant ${ramAction})` : ''}; the previous resource list stays in use`,
    );
    return { error: ramAction ? `${detail.message} (grant ${ramAction})` : detail.message };
  }
}
