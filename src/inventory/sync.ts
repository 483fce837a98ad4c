import { isCasError } from '../cas/errors';
import type { CasApi, CertificateOrder, ListFilter } from '../cas/types';
import { type Certificate, certificateFromOrder } from '../domain/certificate';
import type { Logger } from '../ops/logger';
import type {
  InventoryChanges,
  InventoryStaging,
  InventoryStore,
  ResourceStaging,
  ResourceStore,
  SyncRecord,
} from '../store/types';
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
 * writing each page into the store's staging area as it arrives, then swaps the staged set in as
 * the inventory with one short transaction. Memory holds only the pages in flight
 * (SYNC_PAGES_IN_FLIGHT), whatever the account's size. Any failure (CAS down, throttled past the
 * retries, a malformed page) drops what was staged, leaves the stored inventory whole, is recorded
 * as a failed sync, and is thrown as a SyncError; a sync killed outright leaves the inventory
 * whole too (its staging is cleared by a later sync; see store/staging.ts).
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

  const pages = pager(options.pagesInFlight ?? SYNC_PAGES_IN_FLIGHT);
  /** One page: listed, then written aside; the slot is held until it is staged. */
  const page = <T>(work: () => Promise<T>, write: (result: T) => Promise<void>) =>
    pages.one(async () => {
      calls += 1;
      const result = await work();
      await write(result);
      progress.pagesDone += 1;
      report();
      return result;
    });

  let staging: InventoryStaging | undefined;
  try {
    const opened = await deps.inventory.begin(deps.account);
    staging = opened;
    const certificatePage = (filter: ListFilter, number: number) =>
      page(
        () => deps.cas.listCertificatePage({ ...filter, pageSize, priority: 'bulk' }, number),
        (result) => opened.stage(certificatesOf(result.CertificateOrderList, deps.account)),
      ).then((result) => result.TotalCount);

    /**
     * One listing, all pages; listed again when its TotalCount moved meanwhile (added or removed
     * certificates). Every pass stages into the same staging, where a certificate listed twice is
     * one row, so nothing is lost or doubled.
     */
    const listing = async (filter: ListFilter): Promise<void> => {
      for (let pass = 1; ; pass++) {
        const total = await certificatePage(filter, 1);
        const count = Math.max(1, Math.ceil(total / pageSize));
        progress.pagesTotal += count;
        report();
        let stable = true;
        await pages.range(2, count, async (number) => {
          if ((await certificatePage(filter, number)) !== total) stable = false;
        });
        if (stable || pass >= MAX_PASSES) return;
        deps.logger.info({ listing: filter, pass }, 'certificates changed while listing; listing again');
      }
    };

    await pages.all(SYNC_LISTINGS.map(listing));
    const changes = await opened.commit({
      startedAt,
      finishedAt: deps.now(),
      pages: progress.pagesDone,
      calls,
    });
    staging = undefined;
    const resources = deps.resources ? await syncResources(deps, deps.resources, page, pages) : undefined;
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
    await staging?.abort().catch(() => undefined); // left behind, it is cleared by a later sync
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

/** The certificates of one page, as the inventory keeps them. */
function certificatesOf(rows: readonly CertificateOrder[], account: string): Certificate[] {
  const certificates: Certificate[] = [];
  for (const row of rows) {
    const certificate = certificateFromOrder(row, account);
    if (certificate.id !== '') certificates.push(certificate);
  }
  return certificates;
}

interface Pager {
  /** Runs one page when a slot is free; refused (with the first failure) once a page has failed. */
  one<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Pages `from`..`to` of one listing, taken in order by as many workers as there are slots (each
   * page takes its slot through `one`): only the pages being worked on exist at any time, however
   * many the listing has.
   */
  range(from: number, to: number, run: (page: number) => Promise<void>): Promise<void>;
  /** Waits for every listing; after a failure, for the pages still in flight too, then throws the first failure. */
  all(listings: readonly Promise<void>[]): Promise<void>;
}

/**
 * At most `slots` pages of this sync wait for the CAS limiter or the store at once, and a page
 * holds its slot until it is staged, so pages cannot pile up in memory when the store is slower
 * than CAS. The first failure stops every listing: no page is started after it, and those in
 * flight finish before the sync drops its staging.
 */
function pager(slots: number): Pager {
  let free = slots;
  const waiting: Array<() => void> = [];
  let failure: { error: unknown } | undefined;
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  const one = async <T>(work: () => Promise<T>): Promise<T> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      if (failure) throw failure.error;
      return await work();
    } catch (error) {
      failure ??= { error };
      throw error;
    } finally {
      release();
    }
  };
  return {
    one,
    async range(from, to, run) {
      let next = from;
      const worker = async () => {
        while (next <= to && !failure) {
          const page = next++;
          // `run` takes its slot itself (through `one`); a failure is kept for every listing to see.
          await run(page).catch((error: unknown) => {
            failure ??= { error };
          });
        }
      };
      await Promise.all(Array.from({ length: Math.max(0, Math.min(slots, to - from + 1)) }, worker));
      if (failure) throw failure.error;
    },
    async all(listings) {
      const settled = await Promise.allSettled(listings);
      if (failure) throw failure.error;
      for (const result of settled) if (result.status === 'rejected') throw result.reason;
    },
  };
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
 * priority, staged as it arrives and swapped in with one transaction at the end. A failure (a RAM
 * policy without yundun-cert:ListCloudResources, throttling, a malformed page) drops what was
 * staged, keeps the previous resources and is recorded with the RAM action to grant; the
 * certificate sync stands.
 */
async function syncResources(
  deps: SyncDeps,
  store: ResourceStore,
  page: <T>(work: () => Promise<T>, write: (result: T) => Promise<void>) => Promise<T>,
  pages: Pager,
): Promise<{ count?: number; error?: string }> {
  let staging: ResourceStaging | undefined;
  try {
    const opened = await store.begin(deps.account);
    staging = opened;
    const list = (n: number) =>
      page(
        () => deps.cas.listCloudResourcePage(n, { pageSize: RESOURCE_PAGE_SIZE, priority: 'bulk' }),
        (result) => opened.stage(result.Data.map((r) => deployedResourceFromRow(r, deps.account))),
      ).then((result) => result.Total);
    const total = await list(1);
    const count = Math.max(1, Math.ceil(total / RESOURCE_PAGE_SIZE));
    await pages.range(2, count, async (number) => {
      await list(number);
    });
    staging = undefined;
    const { resources } = await opened.commit(deps.now());
    return { count: resources };
  } catch (error) {
    await staging?.abort().catch(() => undefined);
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
