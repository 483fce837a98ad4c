import { EventEmitter } from 'node:events';
import type Bottleneck from 'bottleneck';
import { LRUCache } from 'lru-cache';
import { MAX_SERIALS_PER_REQUEST } from '../domain/serials';
import { type CasCall, type DeploymentApi, deploymentOperations } from './deployment-operations';
import { CasError } from './errors';
import { createLimiterGroup, createSendWindow, minTimeFor, queueDepth } from './limiter';
import { LIMITER_UNAVAILABLE_CODE, type LimiterConnectionState, type SharedLimiter } from './redis-limiter';
import { withRetries } from './retry';
import { createSharedStatusBatcher } from './shared-status-batch';
import type { StatusBatchStore } from './status-batch-store';
import { createWaitingBatcher } from './waiting-batch';
import {
  type AssetCount,
  type AssignCertificateCountResult,
  assetCountSchema,
  assignCertificateCountSchema,
  type CertificateOrder,
  type CertificateOrderPage,
  type CertificateStatus,
  type CertificateStatusResponse,
  certificateOrderPageSchema,
  certificateStatusResponseSchema,
  cloudResourcePageSchema,
  type RiskCount,
  riskCountSchema,
} from './schemas';
import type { CasTransport, OperationSpec } from './transport';
import type { CallPriority, CasApi, ListFilter } from './types';

export const OPERATIONS = {
  GetRiskCount: { action: 'GetRiskCount', version: '2020-04-07', schema: riskCountSchema },
  GetAssetCount: { action: 'GetAssetCount', version: '2020-04-07', schema: assetCountSchema },
  ListUserCertificateOrder: {
    action: 'ListUserCertificateOrder',
    version: '2020-04-07',
    schema: certificateOrderPageSchema,
  },
  DescribeClientCertificateStatusForSerialNumber: {
    action: 'DescribeClientCertificateStatusForSerialNumber',
    version: '2020-06-30',
    schema: certificateStatusResponseSchema,
  },
  ListCloudResources: {
    action: 'ListCloudResources',
    version: '2020-04-07',
    schema: cloudResourcePageSchema,
  },
  AssignCertificateCount: {
    action: 'AssignCertificateCount',
    version: '2020-06-30',
    schema: assignCertificateCountSchema,
  },
} as const satisfies Record<string, OperationSpec<unknown>>;

export type OperationName = keyof typeof OPERATIONS;
export type CallOutcome = 'ok' | CasError['kind'];

/**
 * What the client tells its observers (logs, metrics, readiness) through `client.events`; it
 * works the same with nobody listening. Listeners run synchronously inside the call: keep them quick.
 */
export interface CasClientEvents {
  /** One attempt of a CAS call ended (a retried call emits one per attempt). */
  call: [operation: string, outcome: CallOutcome, durationMs: number];
  /** Attempt number `attempt` failed with `error` and the call will be tried again. */
  retry: [operation: string, error: unknown, attempt: number];
  /** The shared limiter's Redis connection was lost or is back; `detail` names host:port, never the URL. */
  limiter: [state: LimiterConnectionState, detail: string];
}

export interface CasClientOptions {
  transport: CasTransport;
  qps: number;
  maxConcurrent: number;
  attempts: number;
  cacheTtlSeconds: number;
  /** Page size of ListUserCertificateOrder calls. */
  pageSize?: number;
  /** Shortest backoff before a retry, in ms (tests shorten it). */
  retryBaseDelayMs?: number;
  /** Options for the per-account Bottleneck limiters (e.g. a Redis datastore). */
  bottleneck?: Bottleneck.ConstructorOptions;
  /** Set: the per-account limits are shared with other processes (Redis); closed by `close()`. */
  sharedLimiter?: SharedLimiter;
  /** The rate-limit key of every call; unset: the AccessKey ID the calls are signed with. */
  limiterKey?: string;
  /**
   * Set (with REDIS_URL): status lookups join the batches of every replica sharing the limiter's
   * key, through this store; closed by `close()`. Unset: each process batches its own.
   */
  statusBatchStore?: StatusBatchStore;
}

/**
 * Bottleneck's job priorities for ours: 0 to 9, lower runs first (its default is 5). The gaps
 * leave room for a level in between without renumbering.
 */
export const BOTTLENECK_PRIORITY: Readonly<Record<CallPriority, number>> = { interactive: 2, tracking: 4, bulk: 7 };

/** Serials per DescribeClientCertificateStatusForSerialNumber call: one request's serials fit one call. */
export const MAX_SERIALS_PER_CALL = MAX_SERIALS_PER_REQUEST;
export const DEFAULT_PAGE_SIZE = 50;
/** Longest a status lookup waits for others before its call asks the limiter for a slot. */
export const STATUS_BATCH_WINDOW_MAX_MS = 100;

export interface CasClient extends CasApi, DeploymentApi {
  /** Calls, retries and shared-limiter connection changes, for logs, metrics and readiness. */
  readonly events: EventEmitter<CasClientEvents>;
  /** CAS calls waiting for or holding a rate-limiter slot, across every account. */
  queueDepth(): number;
  /**
   * Sets up the rate limiter of the account calls are made with. With a shared (Redis) limiter
   * this writes its state to Redis now, so a Redis that refuses Bottleneck's scripts fails
   * start-up (a LimiterStartupError) rather than every call. A local limiter needs nothing.
   */
  prepare(): Promise<void>;
  /** Drops cached counts, e.g. after an admin action. */
  clearCache(): void;
  close(): Promise<void>;
}

interface CallOptions {
  /** For writes: retry only when the call was certainly not executed. */
  retryOnlyThrottled?: boolean;
  /** Default 'interactive'. */
  priority?: CallPriority;
}

export function createCasClient(options: CasClientOptions): CasClient {
  const { transport, sharedLimiter } = options;
  const events = new EventEmitter<CasClientEvents>();
  sharedLimiter?.events.on('connection', (state, detail) => events.emit('limiter', state, detail));
  const limiters = createLimiterGroup({
    qps: options.qps,
    maxConcurrent: options.maxConcurrent,
    bottleneck: sharedLimiter ? { ...options.bottleneck, ...sharedLimiter.bottleneck } : options.bottleneck,
  });
  sharedLimiter?.watch(limiters);
  const schedule = <T>(account: string, action: string, priority: CallPriority, task: () => Promise<T>) => {
    // Queued jobs leave Bottleneck's queue by priority, so a call a person waits for goes ahead of
    // queued bulk pages (a retry queues again at the same priority). With the shared limiter each
    // replica orders its own queue; Redis hands free slots to whichever replica asks first.
    const job = { priority: BOTTLENECK_PRIORITY[priority] };
    return sharedLimiter
      ? sharedLimiter.schedule(limiters, account, action, job, task)
      : limiters.key(account).schedule(job, task);
  };
  const defaultPageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  // Counted again when sent: a grant that starts late must not crowd the calls after it.
  const sendWindow = createSendWindow(options.qps);

  type Query = Record<string, string | number | undefined>;
  async function call<T>(
    operation: OperationSpec<T>,
    /** A function is asked when the limiter grants the call (for each attempt). */
    query: Query | (() => Query | Promise<Query>) = {},
    { retryOnlyThrottled = false, priority = 'interactive' }: CallOptions = {},
  ) {
    const account = options.limiterKey ?? (await transport.accountKey());
    return withRetries(
      () =>
        schedule(account, operation.action, priority, async () => {
          await sendWindow.acquire(account);
          const started = performance.now();
          try {
            const result = await transport.call(operation, typeof query === 'function' ? await query() : query);
            events.emit('call', operation.action, 'ok', performance.now() - started);
            return result;
          } catch (error) {
            const outcome: CallOutcome = error instanceof CasError ? error.kind : 'unavailable';
            events.emit('call', operation.action, outcome, performance.now() - started);
            throw error;
          }
        }),
      {
        attempts: options.attempts,
        // A write is retried only when it certainly was not executed: refused by CAS as throttled,
        // or never sent because the shared limiter could not be reached.
        only: retryOnlyThrottled
          ? (error) =>
              error instanceof CasError && (error.kind === 'throttled' || error.code === LIMITER_UNAVAILABLE_CODE)
          : undefined,
        baseDelayMs: options.retryBaseDelayMs,
        onRetry: (error, attempt) => events.emit('retry', operation.action, error, attempt),
      },
    );
  }

  // Counts: cached for the TTL; lru-cache's fetch also shares one in-flight call among
  // concurrent callers, which is what turns a burst of /cert-risk into a single upstream call.
  type Counts = RiskCount | AssetCount;
  const ttlMs = Math.max(1, options.cacheTtlSeconds * 1000);
  const countCache = new LRUCache<'risk' | 'asset', Counts>({
    max: 2,
    ttl: ttlMs,
    fetchMethod: (key) =>
      key === 'risk' ? call(OPERATIONS.GetRiskCount) : (call(OPERATIONS.GetAssetCount) as Promise<Counts>),
  });

  // Pages: not cached (lists must be fresh), but identical concurrent reads share one call,
  // which keeps the priority of the read that made it. A page is dropped as soon as its call
  // is answered: a sync of 100,000 certificates must not keep its 2,000 pages (a cache with a
  // TTL drops an expired entry only when it is read again).
  const pagesInFlight = new Map<string, Promise<CertificateOrderPage>>();

  // Status lookups share comma-joined calls: those arriving within one limiter interval of each
  // other (each Slack request arrives in its own I/O callback), and every one arriving while
  // that call still waits for the limiter, up to 50 serials a call.
  async function describeStatuses(serials: () => string[] | Promise<string[]>) {
    const response: CertificateStatusResponse = await call(
      OPERATIONS.DescribeClientCertificateStatusForSerialNumber,
      async () => ({ SerialNumber: (await serials()).join(',') }),
    );
    const bySerial = new Map(response.CertificateStatus.map((s) => [normalizeSerial(s.SerialNumber), s]));
    return (serial: string): CertificateStatus =>
      bySerial.get(normalizeSerial(serial)) ?? { SerialNumber: serial, Status: 'unknown' };
  }
  const statusWindowMs = Math.min(STATUS_BATCH_WINDOW_MAX_MS, minTimeFor(options.qps));
  const statusBatcher = createWaitingBatcher<string, CertificateStatus>({
    maxBatchSize: MAX_SERIALS_PER_CALL,
    windowMs: statusWindowMs,
    identity: normalizeSerial,
    send: describeStatuses,
  });
  // With Redis, replicas also join each other's batches; the local batcher is the way back
  // when Redis or a batch's owner fails.
  const sharedStatus =
    options.statusBatchStore &&
    createSharedStatusBatcher<CertificateStatus>({
      store: options.statusBatchStore,
      accountKey: async () => options.limiterKey ?? (await transport.accountKey()),
      maxBatchSize: MAX_SERIALS_PER_CALL,
      windowMs: statusWindowMs,
      identity: normalizeSerial,
      send: describeStatuses,
      fallback: (serial) => statusBatcher.load(serial),
    });

  function pageQuery(filter: ListFilter, page: number) {
    return {
      OrderType: filter.orderType ?? 'CERT',
      Status: filter.status,
      Keyword: filter.keyword,
      CurrentPage: page,
      ShowSize: filter.pageSize ?? defaultPageSize,
    };
  }

  async function listCertificatePage(filter: ListFilter, page: number): Promise<CertificateOrderPage> {
    const key = JSON.stringify(pageQuery(filter, page));
    const shared = pagesInFlight.get(key);
    if (shared) return shared;
    const priority: CallPriority = filter.priority ?? 'interactive';
    const fetched = call<CertificateOrderPage>(OPERATIONS.ListUserCertificateOrder, JSON.parse(key), { priority });
    pagesInFlight.set(key, fetched);
    try {
      return await fetched;
    } finally {
      if (pagesInFlight.get(key) === fetched) pagesInFlight.delete(key);
    }
  }

  async function* listCertificates(filter: ListFilter): AsyncGenerator<CertificateOrder> {
    const first = await listCertificatePage(filter, 1);
    const size = filter.pageSize ?? defaultPageSize;
    const pages = Math.max(1, Math.ceil(first.TotalCount / size));
    // Every remaining page is queued at once: the limiter releases them as fast as CAS_QPS
    // allows, so the whole list takes pages / QPS seconds instead of pages × latency.
    const rest = Array.from({ length: pages - 1 }, (_, i) => listCertificatePage(filter, i + 2));
    for (const pending of rest) pending.catch(() => undefined); // consumed below; avoids unhandled rejections
    yield* first.CertificateOrderList;
    for (const pending of rest) {
      const page = await pending;
      yield* page.CertificateOrderList;
    }
  }

  async function counts<T extends Counts>(key: 'risk' | 'asset'): Promise<T> {
    const result = await countCache.fetch(key);
    if (!result) throw new Error(`${key} count returned nothing`);
    return result as T;
  }

  return {
    events,
    queueDepth: () => queueDepth(limiters),
    async prepare() {
      if (sharedLimiter) await sharedLimiter.prepare(limiters, options.limiterKey ?? (await transport.accountKey()));
    },
    getRiskCount: () => counts<RiskCount>('risk'),
    getAssetCount: () => counts<AssetCount>('asset'),
    getCertificateStatus: (serial) => (sharedStatus ?? statusBatcher).load(serial),
    listCertificatePage,
    listCloudResourcePage: async (page, options = {}) =>
      call(
        OPERATIONS.ListCloudResources,
        { CurrentPage: page, ShowSize: options.pageSize ?? 50, CertIds: certIdsQuery(options.certIds) },
        { priority: options.priority ?? 'interactive' },
      ),
    listCertificates,
    async assignCertificateCount(input): Promise<AssignCertificateCountResult> {
      if (!DATA_SOURCE_ID.test(input.id)) throw invalidDataSourceId(input.id);
      // A write: never coalesced, and retried only when CAS refused it unexecuted (throttling);
      // after a timeout or 5xx it may have been applied, so a person decides whether to repeat it.
      // The ID goes into the query as the caller's digits; openapi-client copies strings as they are.
      const result = await call(
        OPERATIONS.AssignCertificateCount,
        { Id: input.id, CertTotalCount: input.certTotalCount },
        { retryOnlyThrottled: true },
      );
      countCache.clear();
      return result;
    },
    ...deploymentOperations(call as CasCall),
    clearCache: () => countCache.clear(),
    async close() {
      countCache.clear();
      pagesInFlight.clear();
      await sharedStatus?.close();
      // The shared connection goes first: once it is closed, a limiter's disconnect no longer
      // sends UNSUBSCRIBE, which Bottleneck does without handling its failure.
      await sharedLimiter?.close();
      await Promise.all(limiters.limiters().map(({ limiter }) => limiter.disconnect(false)));
    },
  };
}

/**
 * ListCloudResources' CertIds as the SDK sends it (shrink style `json`): `[12345,67890]`, the IDs
 * as their digits so an int64 is not rounded; undefined (no filter) for none.
 */
function certIdsQuery(ids: readonly string[] | undefined): string | undefined {
  if (ids === undefined || ids.length === 0) return undefined;
  const bad = ids.find((id) => !DATA_SOURCE_ID.test(id));
  if (bad !== undefined)
    throw new CasError({
      kind: 'bad_input',
      operation: OPERATIONS.ListCloudResources.action,
      code: 'InvalidCertIds',
      message: `ListCloudResources was not sent: "${String(bad).slice(0, 40)}" is not a certificate ID`,
      hint: 'Certificate IDs are whole numbers, e.g. 12342649.',
    });
  return `[${ids.join(',')}]`;
}

/** AssignCertificateCount's Id, an int64: decimal digits only, at most 19 of them. */
const DATA_SOURCE_ID = /^\d{1,19}$/;

function invalidDataSourceId(id: string): CasError {
  return new CasError({
    kind: 'bad_input',
    operation: OPERATIONS.AssignCertificateCount.action,
    code: 'InvalidId',
    message: `AssignCertificateCount was not sent: the data source ID "${id.slice(0, 40)}" is not a whole number`,
    hint: 'Give the data source ID as its decimal digits, e.g. 33285.',
  });
}

function normalizeSerial(serial: string): string {
  return serial.replace(/:/g, '').toUpperCase();
}
