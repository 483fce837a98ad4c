import os from 'node:os';

import { afterSync } from './alerts/after-sync';
import { type AlertPassResult, accountAlertPass, alertPass, alertsConfigured } from './alerts/pass';
import type { AlertDeps } from './alerts/run';
import type { CasClient } from './cas';
import type { Config } from './config';
import type { PostRetry } from './delivery/post-once';
import type { DigestService } from './digest/service';
import { describeError } from './domain/error-description';
import { type AccountSyncResult, createAccountSyncs } from './inventory/account-syncs';
import type { CertificateSource } from './inventory/certificate-source';
import type { MergedSource } from './inventory/merged-source';
import { createCertificateSources } from './inventory/sources';
import type { InventorySnapshot } from './inventory/stored-source';
import type { InventoryReader } from './inventory/inventory-reader';
import { storeInventoryReader } from './inventory/store-reader';
import { metricsReading } from './inventory/metrics-reading';
import type { SyncProgress, SyncSummary } from './inventory/sync';
import type { Scheduler } from './jobs/scheduler';
import { createInflight } from './ops/inflight';
import { createLogger, type Logger } from './ops/logger';
import { createMetrics, type Metrics } from './ops/metrics';
import { createCasSuccesses, type Readiness } from './ops/readiness';
import type { ProbePassResult } from './probe/probe-pass';
import type { SlackApp } from './slack/app';
import type { HomeView } from './slack/blocks/home';
import type { SlackMessage } from './slack/blocks/types';
import { openStore } from './store';
import { sqliteStoreExists } from './store/sqlite-store';
import type { Store } from './store/types';
import { type AccountHandle, buildAccounts } from './wiring/accounts';
import { buildAlertDeps } from './wiring/alert-deps';
import { buildDeploy } from './wiring/deploy';
import { buildDigestService, digestSchedule } from './wiring/digest';
import { buildJobs } from './wiring/jobs';
import { once } from './wiring/once';
import { buildProbing } from './wiring/probing';
import { buildReadiness } from './wiring/readiness';
import { buildSlackApp } from './wiring/slack-app';
import { slackClients } from './wiring/slack-clients';
import { checkSlackToken, warnWithoutCasCredentials } from './wiring/startup-checks';
import { listenStartupError, storeStartupError } from './wiring/startup-errors';

export type { AccountHandle } from './wiring/accounts';
export type { AccountSyncResult } from './inventory/account-syncs';

/**
 * How long a stop waits for answers in flight, and then again for a running job: a deployment's
 * grace period before SIGKILL must cover both (deploy/kubernetes checks it).
 */
export const SHUTDOWN_DRAIN_MS = 10_000;

/** What a caller may put in place of the defaults: a clock, a logger, fakes at the edges. */
export interface ServiceOverrides {
  logger?: Logger;
  now?: () => Date;
  /** Names this process in claims and leases (default host:pid). */
  instanceId?: string;
  /** A store the caller opened (and closes). */
  store?: Store;
  /** Retries of Slack Web API calls (default: the client's policy). */
  slackRetries?: number;
  /** The bot's Slack IDs when known: neither start() nor Bolt then calls auth.test (no token check). */
  botIdentity?: { botId: string; botUserId: string };
  /** First backoff delay of CAS retries and of digest rebuilds, in ms. */
  retryBaseDelayMs?: number;
  /** Prefix of the shared limiter's Redis keys. */
  redisNamespace?: string;
  /** How long a stop waits for answers in flight (default 10 s). */
  drainMs?: number;
  /** How often jobs look for due periods (default one minute). */
  catchUpIntervalMs?: number;
  /** How long a digest claim is held without renewal (default two minutes). */
  digestLeaseMs?: number;
  /** How long an alert claim is held without renewal (default five minutes). */
  alertLeaseMs?: number;
  /** How long a post whose answer was lost is looked for and tried again (default two minutes). */
  postRetry?: PostRetry;
  /** How long a post or upload waits for Slack's answer (default 20 s). */
  slackPostTimeoutMs?: number;
  /** How long an inventory sync's lease is held without renewal (default two minutes). */
  syncLeaseMs?: number;
  /** How often deployment requests are moved on and their jobs read (default 10 s). */
  deployTrackMs?: number;
  /** How long one process may hold a deployment request's steps without renewing (default one minute). */
  deployLeaseMs?: number;
}

/**
 * Everything the bot is made of, built once from the configuration: store, CAS client,
 * certificate source, metrics, readiness, jobs and the Slack app. Parts are built on first
 * use, so a CLI command that needs only CAS opens no store and builds no Slack app;
 * `start()` builds and starts what `serve` runs, `stop()` closes whatever was built.
 */
export interface Services {
  readonly config: Config;
  /** Every configured account, in the order of CAS_ACCOUNTS_FILE (one, `default`, without it). */
  readonly accounts: readonly AccountHandle[];
  /** The accounts a command covers: all, or the one named (case-insensitive); UnknownAccountError otherwise. */
  selectAccounts(name?: string): AccountHandle[];
  readonly logger: Logger;
  readonly now: () => Date;
  readonly instanceId: string;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  store(): Promise<Store>;
  /** The CAS client of the named account (default: the first account). */
  cas(account?: string): Promise<CasClient>;
  /** Lists from the stored inventory (CAS until a first sync has finished), of every account or of those named. */
  certificates(accounts?: readonly string[]): Promise<CertificateSource>;
  /** Lists for the CLI: the inventory when younger than `maxAgeMs`, else CAS; `live` always CAS. */
  listSource(options: { live?: boolean; maxAgeMs?: number; accounts?: readonly string[] }): Promise<CertificateSource>;
  /** The inventory as last synced (undefined before the first sync). */
  inventorySnapshot(): Promise<InventorySnapshot | undefined>;
  /** What answers read of the stored inventory: its status, a page of a selection, counts. */
  readonly inventory: InventoryReader;
  /** One account's inventory sync now (default: the first account), through the same path as the background job. */
  syncNow(options?: { account?: string; onProgress?: (progress: SyncProgress) => void }): Promise<SyncSummary>;
  /** Every account's sync, side by side; one account failing does not stop the others. */
  syncAll(options?: { onProgress?: (account: string, progress: SyncProgress) => void }): Promise<AccountSyncResult[]>;
  digest(): Promise<DigestService<SlackMessage>>;
  /** What alert passes and the alert buttons work with. */
  alertDeps(): Promise<AlertDeps>;
  /** The /cert-info answer for an ID or a domain, as Slack would show it (and whether anything matched). */
  certificateInfo(query: string, account?: string): Promise<{ message: SlackMessage; found: boolean }>;
  /**
   * One probe pass over the inventory's targets and PROBE_TARGETS, stored for /cert-info and the
   * metrics (what the scheduled job runs); undefined before the first sync, when there is no inventory.
   */
  probePass(): Promise<ProbePassResult | undefined>;
  /**
   * One alert pass now, the same as `serve` runs: alert messages updated to "Renewed" /
   * "Deployed", then due summaries and alerts posted (`post: false`: only what would be posted).
   */
  runAlerts(options: { post: boolean; account?: string }): Promise<AlertPassResult>;
  /** Whether alerts can be posted: a Slack token and a channel (ALERT_CHANNEL, ALERT_ROUTES, an account's). */
  alertsConfigured(): boolean;
  /** One user's App Home (what `app_home_opened` publishes): the inventory, their alerts, GetAssetCount. */
  homeView(userId: string): Promise<HomeView>;
  slack(): Promise<SlackApp>;
  jobs(): Promise<Scheduler>;
  /** Serves Slack and runs the jobs; resolves with the HTTP port bound. */
  start(): Promise<{ port: number | undefined }>;
  /** Stops taking requests, lets answers in flight finish, then closes everything built. */
  stop(): Promise<void>;
}

export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = overrides.now ?? (() => new Date());
  const instanceId = overrides.instanceId ?? `${os.hostname()}:${process.pid}`;
  const metrics = createMetrics();
  const inflight = createInflight();
  const built: { store?: Store; slack?: SlackApp; jobs?: Scheduler } = {};

  // The bot's own Slack clients (Bolt's app has its own): see wiring/slack-clients.ts.
  const { webClient, postClient, probeClient } = slackClients(config, logger, {
    retries: overrides.slackRetries,
    postTimeoutMs: overrides.slackPostTimeoutMs,
  });

  const store = once(async () => {
    const opened = overrides.store ?? (await openStore(config));
    built.store = opened;
    // A new store is dated by the bot's clock (an upgraded one by its oldest record): the
    // digest is then posted only for periods that ended after the bot existed.
    await opened.info.recordCreation(now());
    return opened;
  });

  // Each account's CAS client reports its successful calls here; readiness (below) reads them.
  const casSuccesses = createCasSuccesses();
  const accountSet = buildAccounts(config, {
    logger,
    metrics,
    casSuccesses,
    retryBaseDelayMs: overrides.retryBaseDelayMs,
    redisNamespace: overrides.redisNamespace,
  });
  const accounts = accountSet.all;

  const { accountSources, subset, listSource } = createCertificateSources({
    store,
    accounts,
    // No store file yet means no inventory: the CLI lists live rather than create an empty store.
    storeExists: () => Boolean(config.DATABASE_URL || overrides.store) || sqliteStoreExists(config.DATA_DIR),
  });
  const servingSources = once(() => accountSources());
  const allCertificates = once(async (): Promise<MergedSource> => subset(await servingSources()));
  const certificates = async (names?: readonly string[]): Promise<MergedSource> =>
    names === undefined ? allCertificates() : subset(await servingSources(), names);
  const inventorySnapshot = async (at?: Date) => (await allCertificates()).snapshot(at ?? now());
  // Every answer reads the inventory through this seam: each call a query of what the syncs
  // stored (status, one page of a selection, counts); no process holds the whole inventory.
  const inventory = storeInventoryReader({
    store,
    accounts: accounts.map((a) => a.name),
    alertStates: async () => (await store()).alerts.states(),
  });
  // What answers to people list: a hanging account waits ACCOUNT_ANSWER_TIMEOUT_MS at most.
  const answerCertificates = async (names?: readonly string[]): Promise<MergedSource> =>
    subset(await servingSources(), names, config.ACCOUNT_ANSWER_TIMEOUT_MS);

  const inventoryMetrics = metrics.watchInventory({
    snapshot: metricsReading(inventory),
    intervalSeconds: config.INVENTORY_SYNC_MINUTES * 60,
    perCertificate: config.METRICS_PER_CERTIFICATE,
  });
  metrics.watchProbes({
    verdicts: async () => (await store()).probes.list(),
    perEndpoint: config.METRICS_PER_ENDPOINT,
  });
  const readiness = buildReadiness({ inventory, store, accounts, probeClient, casSuccesses, now });

  const alertDeps = once(async () =>
    buildAlertDeps({
      config,
      store: await store(),
      inventory,
      webClient,
      postClient,
      logger,
      now,
      instanceId,
      leaseMs: overrides.alertLeaseMs,
      postRetry: overrides.postRetry,
      observe: metrics.observe,
    }),
  );

  const syncs = createAccountSyncs({
    store,
    accounts,
    logger,
    now,
    metrics: inventoryMetrics,
    // In a serving process only: a CLI sync builds no jobs.
    afterSync: afterSync({
      alerting: () => built.jobs !== undefined && Boolean(config.SLACK_BOT_TOKEN),
      alertDeps,
      logger,
    }),
  });
  const syncNow: Services['syncNow'] = async (options = {}) =>
    syncs.syncOne(
      options.account === undefined ? accounts[0] : accountSet.select(options.account)[0],
      options.onProgress,
    );

  const digestPlan = digestSchedule(config);
  const digest = once(async () =>
    buildDigestService({
      config,
      store: await store(),
      accounts,
      inventory,
      postClient,
      logger,
      now,
      instanceId,
      postRetry: overrides.postRetry,
      retryBaseDelayMs: overrides.retryBaseDelayMs,
      leaseMs: overrides.digestLeaseMs,
      observe: metrics.observe,
    }),
  );

  const probing = buildProbing({ config, now, certificates, snapshot: inventorySnapshot, store });

  const deploy = once(async () =>
    buildDeploy({
      config,
      store: await store(),
      accounts,
      accountSources,
      subset,
      webClient,
      postClient,
      postRetry: overrides.postRetry,
      logger,
      now,
      instanceId,
      leaseMs: overrides.deployLeaseMs,
      observe: metrics.observe,
      // The resources moved: read them again (a sync of the account), and the alerts follow.
      syncAccount: (account) => syncNow({ account }),
      probe: probing.afterDeployment,
    }),
  );

  const jobs = once(async () => {
    const scheduler = await buildJobs({
      config,
      logger,
      now,
      instanceId,
      overrides,
      store,
      accounts: accounts.map((a) => a.name),
      syncAll: () => syncs.syncAll(),
      alertDeps,
      digest,
      digestChannels: digestPlan.channels,
      trigger: digestPlan.trigger,
      probePass: probing.probePass,
      deployFlow: async () => (await deploy()).flow,
    });
    built.jobs = scheduler;
    return scheduler;
  });

  // App Home: the stored inventory, the alert store and GetAssetCount; no listing.
  const homeView: Services['homeView'] = async (userId) =>
    (await import('./slack/views/home')).homeViewOf(
      {
        accounts,
        inventory,
        store,
        probing: config.PROBE_INTERVAL_MINUTES > 0,
        now,
        accountTimeoutMs: config.ACCOUNT_ANSWER_TIMEOUT_MS,
      },
      userId,
    );

  // The bot's Slack IDs from the start-up token check (auth.test), for Bolt.
  let checkedIdentity = overrides.botIdentity;
  const slack = once(async () => {
    const app = await buildSlackApp({
      config,
      webApiRetries: overrides.slackRetries,
      botIdentity: () => checkedIdentity,
      store,
      accounts,
      answerCertificates,
      inventory,
      digest,
      alertDeps,
      homeView,
      probing,
      deploy,
      metrics,
      readiness,
      inflight,
      logger,
      now,
      instanceId,
    });
    built.slack = app;
    return app;
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    accounts,
    selectAccounts: accountSet.select,
    logger,
    now,
    instanceId,
    metrics,
    readiness,
    store,
    cas: accountSet.cas,
    certificates,
    alertDeps,
    probePass: probing.probePass,
    async runAlerts({ account, ...options }) {
      const deps = await alertDeps();
      return account === undefined
        ? alertPass(deps, options)
        : accountAlertPass(deps, accountSet.select(account)[0].name, options);
    },
    alertsConfigured: () => alertsConfigured(config),
    async certificateInfo(query, account) {
      const { certificateInfoAnswer } = await import('./slack/info-answer');
      return certificateInfoAnswer(await alertDeps(), query, now(), account);
    },
    listSource,
    inventorySnapshot,
    inventory,
    syncNow,
    syncAll: (options = {}) => syncs.syncAll(options.onProgress),
    digest,
    homeView,
    slack,
    jobs,
    async start() {
      if (!overrides.botIdentity) checkedIdentity = await checkSlackToken(probeClient, config.SLACK_API_URL);
      await warnWithoutCasCredentials(config, accounts, logger);
      let app: SlackApp;
      let scheduler: Scheduler;
      try {
        app = await slack();
        scheduler = await jobs();
      } catch (error) {
        throw storeStartupError(error, config);
      }
      let port: number | undefined;
      try {
        ({ port } = await app.start());
      } catch (error) {
        throw listenStartupError(error, config);
      }
      logger.info({ port, mode: config.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'cert-bot is serving');
      scheduler.start();
      return { port };
    },
    stop() {
      const drainMs = overrides.drainMs ?? SHUTDOWN_DRAIN_MS;
      stopping ??= (async () => {
        const quiet = (what: string) => (error: unknown) => logger.warn({ err: describeError(error) }, `stop: ${what}`);
        await built.slack?.stop().catch(quiet('slack'));
        const drained = await inflight.drained(drainMs);
        if (!drained) logger.warn({ inflight: inflight.count() }, 'shutting down with answers still in flight');
        await built.jobs?.stop(drainMs).catch(quiet('jobs'));
        await Promise.all(accountSet.built().map((client) => client.close().catch(quiet('cas'))));
        if (!overrides.store) await built.store?.close().catch(quiet('store'));
      })();
      return stopping;
    },
  };
}
