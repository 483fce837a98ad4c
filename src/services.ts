import os from 'node:os';

import { type AlertPassResult, alertPass, alertsConfigured } from './alerts/pass';
import type { AlertDeps } from './alerts/run';
import type { AccountConfig } from './accounts/account-config';
import type { CasClient } from './cas';
import { buildCasClient } from './wiring/cas-client';
import { describeError } from './domain/error-description';
import {
  CREDENTIAL_CHECK_MS,
  listenStartupError,
  probeDefaultCredentials,
  slackStartupError,
  storeStartupError,
} from './wiring/startup-errors';
import type { Config } from './config';
import { digestGroups, selectAccounts as select, UnknownAccountError } from './domain/account-selection';
import { alertThresholds } from './domain/alerts';
import type { DigestPoster } from './digest/run';
import { createDigestService, type DigestService } from './digest/service';
import type { CertificateSource } from './inventory/certificate-source';
import type { MergedSource } from './inventory/merged-source';
import { createCertificateSources } from './inventory/sources';
import type { InventorySnapshot } from './inventory/stored-source';
import { accountsReader, type InventoryReader, snapshotInventoryReader } from './inventory/inventory-reader';
import { metricsReading } from './inventory/metrics-reading';
import { type SyncProgress, type SyncSummary, SyncError, syncInventory } from './inventory/sync';
import type { Scheduler } from './jobs/scheduler';
import { buildJobs } from './wiring/jobs';
import { type ProbePassResult, runProbePass } from './probe/probe-pass';
import { proberFromConfig } from './wiring/prober';
import { checkEndpoints } from './probe/check';
import type { Endpoint } from './domain/endpoints';
import type { EndpointVerdict } from './domain/probe-verdict';
import { createInflight } from './ops/inflight';
import { createLogger, type Logger } from './ops/logger';
import { createMetrics, type Metrics } from './ops/metrics';
import { createReadiness, type Readiness } from './ops/readiness';
import { opsRoutes } from './ops/routes';
import { describeAge } from './render/format';
import { renderTrendChartOffThread } from './render/chart-thread';
import type { SlackApp } from './slack/app';
import { digestRenderer } from './slack/blocks/digest';
import type { SlackMessage } from './slack/blocks/types';
import type { HomeView } from './slack/blocks/home';
import { createDigestPoster } from './slack/digest-poster';
import type { PostRetry } from './delivery/post-once';
import { coalesced } from './jobs/coalesced';
import { once } from './wiring/once';
import { slackClients } from './wiring/slack-clients';
import { openStore } from './store';
import { sqliteStoreExists } from './store/sqlite-store';
import type { Store } from './store/types';

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

/** One configured CAS account and its client (built on first use, with its own rate limiter). */
export interface AccountHandle {
  readonly name: string;
  readonly config: AccountConfig;
  cas(): Promise<CasClient>;
}

/** How one account's sync went, when every account is synced together. */
export type AccountSyncResult = { account: string; summary: SyncSummary } | { account: string; error: unknown };

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

  // The bot's own Slack clients (Bolt's app has its own): see wiring/slack-clients.ts.
  const { webClient, postClient, probeClient } = slackClients(config, logger, {
    retries: overrides.slackRetries,
    postTimeoutMs: overrides.slackPostTimeoutMs,
  });

  const built: { store?: Store; cas: CasClient[]; slack?: SlackApp; jobs?: Scheduler } = { cas: [] };

  const store = once(async () => {
    const opened = overrides.store ?? (await openStore(config));
    built.store = opened;
    // A new store is dated by the bot's clock (an upgraded one by its oldest record): the
    // digest is then posted only for periods that ended after the bot existed.
    await opened.info.recordCreation(now());
    return opened;
  });

  // The CAS limit is per account: each account gets its own client and limiter, so one account
  // being throttled, down or refusing its credentials never slows or breaks another.
  const buildAccountCas = async (account: AccountConfig) => {
    const client = await buildCasClient(config, account, {
      retryBaseDelayMs: overrides.retryBaseDelayMs,
      redisNamespace: overrides.redisNamespace,
    });
    client.events.on('call', (_operation, outcome) => {
      if (outcome === 'ok') readiness.casSucceeded(account.name);
    });
    client.events.on('limiter', (state, detail) => {
      if (state === 'lost')
        logger.error(
          { limiter: detail, account: account.name },
          'shared rate limiter (Redis) unreachable; CAS calls fail until it is back',
        );
      else logger.info({ limiter: detail, account: account.name }, 'shared rate limiter (Redis) reachable again');
    });
    metrics.watchCas(client.events, account.name);
    metrics.watchRisk(async () => {
      const [risk, assets] = await Promise.all([client.getRiskCount(), client.getAssetCount()]);
      return { risk, assets };
    }, account.name);
    built.cas.push(client);
    return client;
  };
  const accounts: AccountHandle[] = config.accounts.map((account) => ({
    name: account.name,
    config: account,
    cas: once(() => buildAccountCas(account)),
  }));
  metrics.watchQueueDepth(() => built.cas.reduce((sum, client) => sum + client.queueDepth(), 0));
  const selectAccounts = (name?: string): AccountHandle[] => {
    const selection = select(
      accounts.map((a) => a.name),
      name,
    );
    if ('unknown' in selection) throw new UnknownAccountError(selection);
    return selection.accounts.map((n) => accounts.find((a) => a.name === n) as AccountHandle);
  };
  const cas = (account?: string) => (account === undefined ? accounts[0] : selectAccounts(account)[0]).cas();

  const { accountSources, subset, listSource } = createCertificateSources({
    store,
    accounts: accounts.map((a) => ({ name: a.name, cas: a.cas })),
    // No store file yet means no inventory: the CLI lists live rather than create an empty store.
    storeExists: () => Boolean(config.DATABASE_URL || overrides.store) || sqliteStoreExists(config.DATA_DIR),
  });
  const servingSources = once(() => accountSources());
  const allCertificates = once(async (): Promise<MergedSource> => subset(await servingSources()));
  const certificates = async (names?: readonly string[]): Promise<MergedSource> =>
    names === undefined ? allCertificates() : subset(await servingSources(), names);
  const inventorySnapshot = async (at?: Date) => (await allCertificates()).snapshot(at ?? now());
  // Every answer reads the inventory through this seam: status, one page of a selection, counts.
  const inventory = snapshotInventoryReader(
    { snapshot: (at) => inventorySnapshot(at) },
    { alertStates: async () => (await store()).alerts.states() },
  );
  // What answers to people list: a hanging account waits ACCOUNT_ANSWER_TIMEOUT_MS at most.
  const answerCertificates = async (names?: readonly string[]): Promise<MergedSource> =>
    subset(await servingSources(), names, config.ACCOUNT_ANSWER_TIMEOUT_MS);

  const inventoryMetrics = metrics.watchInventory({
    snapshot: metricsReading(inventory),
    intervalSeconds: config.INVENTORY_SYNC_MINUTES * 60,
    perCertificate: config.METRICS_PER_CERTIFICATE,
  });

  const alertDeps = once(async (): Promise<AlertDeps> => {
    const s = await store();
    const { createAlertPoster } = await import('./slack/alert-poster');
    const { renderAlertMessage } = await import('./slack/blocks/alert');
    const { renderBaselineMessage } = await import('./slack/blocks/baseline');
    const { renderDriftAlertMessage } = await import('./slack/blocks/drift-alert');
    let poster: ReturnType<typeof createAlertPoster> | undefined;
    const lazy = async () => (poster ??= createAlertPoster(await webClient(), await postClient()));
    return {
      inventory,
      claims: s.claims,
      alerts: s.alerts,
      probes: { results: s.probes, enabled: config.PROBE_INTERVAL_MINUTES > 0 },
      drift: { store: s.driftAlerts, render: renderDriftAlertMessage },
      poster: {
        postMessage: async (message) => (await lazy()).postMessage(message),
        update: async (message) => (await lazy()).update(message),
        findPosted: async (...args) => (await lazy()).findPosted(...args),
      },
      render: (input) => renderAlertMessage({ ...input, deployButton: config.DEPLOY_ENABLED }),
      renderBaseline: (input) => renderBaselineMessage(input),
      settings: {
        thresholds: alertThresholds(config.ALERT_DAYS),
        routes: config.alertRoutes,
        defaultChannel: config.ALERT_CHANNEL,
        accountChannels: Object.fromEntries(
          config.accounts.flatMap((account) => (account.alertChannel ? [[account.name, account.alertChannel]] : [])),
        ),
        hours: config.ALERT_HOURS,
        timezone: config.ALERT_TIMEZONE,
        baseline: config.ALERT_BASELINE === 'on',
        expiredGraceDays: config.ALERT_EXPIRED_GRACE_DAYS,
      },
      logger,
      now,
      instanceId,
      leaseMs: overrides.alertLeaseMs,
      postRetry: overrides.postRetry,
      observe: metrics.observe,
    };
  });

  // After every sync in a serving process: the alert pass (as `cert-bot sync` runs it).
  const afterSync = async () => {
    try {
      await alertPass(await alertDeps(), { post: true });
    } catch (error) {
      logger.error({ err: describeError(error) }, 'alert pass after the sync failed');
    }
  };

  const syncAccount = async (
    account: AccountHandle,
    onProgress?: (progress: SyncProgress) => void,
  ): Promise<SyncSummary> => {
    const [s, c] = await Promise.all([store(), account.cas()]);
    const log = logger.child({ module: 'inventory-sync', account: account.name });
    const started = performance.now();
    try {
      const summary = await syncInventory(
        { cas: c, inventory: s.inventory, resources: s.resources, account: account.name, now, logger: log },
        { onProgress },
      );
      inventoryMetrics?.syncFinished('ok', summary.seconds, account.name);
      const { account: _named, ...counts } = summary; // the child logger names the account
      log.info(counts, 'inventory synced');
      return summary;
    } catch (error) {
      inventoryMetrics?.syncFinished('failed', (performance.now() - started) / 1000, account.name);
      // One line per failed sync, with the CAS error class and RequestId; the next interval retries.
      const detail = error instanceof SyncError ? error.detail : { message: String(error) };
      log.error({ failure: detail }, 'inventory sync failed; the previous inventory stays in use');
      throw error;
    }
  };
  // A serving process reads the new inventory now, so the first list after a sync does not pay
  // for it; a CLI sync has no reader and leaves that to whoever lists next.
  const afterSyncs = async () => {
    if (built.slack) await inventorySnapshot().catch(() => undefined);
    if (built.jobs && config.SLACK_BOT_TOKEN) await afterSync();
  };
  const syncNow: Services['syncNow'] = async (options = {}) => {
    const [account] = options.account === undefined ? [accounts[0]] : selectAccounts(options.account);
    const summary = await syncAccount(account, options.onProgress);
    await afterSyncs();
    return summary;
  };
  // Each account's sync is followed by the alert pass as soon as it is done, not when the
  // slowest account is: a hanging account holds back no other account's alerts. Passes run one
  // at a time; accounts finishing during one get one more pass after it.
  const afterAccountSync = coalesced(afterSyncs);
  const syncAll: Services['syncAll'] = async (options = {}) => {
    const settled = await Promise.allSettled(
      accounts.map(async (account) => {
        const summary = await syncAccount(
          account,
          options.onProgress && ((progress) => options.onProgress?.(account.name, progress)),
        );
        await afterAccountSync();
        return summary;
      }),
    );
    return settled.map((result, index): AccountSyncResult =>
      result.status === 'fulfilled'
        ? { account: accounts[index].name, summary: result.value }
        : { account: accounts[index].name, error: result.reason },
    );
  };
  metrics.watchProbes({
    verdicts: async () => (await store()).probes.list(),
    perEndpoint: config.METRICS_PER_ENDPOINT,
  });

  const readiness: Readiness = createReadiness({
    inventory: async () => {
      const status = await inventory.status(now());
      if (!status) return 'never synced: lists come live from CAS';
      const unsynced = status.unsynced?.length ? `; never synced: ${status.unsynced.join(', ')}` : '';
      return `synced ${describeAge(status.syncedAt, now())}${unsynced}`;
    },
    store: async () => (await store()).ping(),
    cas: accounts.map((account) => ({
      account: account.name,
      check: async () => {
        await (await account.cas()).getAssetCount();
      },
    })),
    slack: async () => {
      await (await probeClient()).auth.test();
    },
  });

  const trigger = { cron: config.DIGEST_CRON, timezone: config.DIGEST_TIMEZONE };
  const groups = digestGroups(config.DIGEST_CHANNEL, config.accounts);
  const digestChannels = groups.flatMap((group) => group.channels);
  const digest = once(async (): Promise<DigestService<SlackMessage>> => {
    const s = await store();
    // Built on first post, so a dry run needs no Slack token.
    let poster: Required<DigestPoster> | undefined;
    const built = async () => (poster ??= createDigestPoster(await postClient()));
    const lazyPoster: DigestPoster = {
      postMessage: async (message) => (await built()).postMessage(message),
      findPosted: async (...args) => (await built()).findPosted(...args),
      uploadChart: async (chart) => (await built()).uploadChart(chart),
      findChart: async (...args) => (await built()).findChart(...args),
    };
    const render = { ...digestRenderer, chart: renderTrendChartOffThread };
    return createDigestService({
      renderDigest: digestRenderer.digest,
      trigger,
      accounts: accounts.map((a) => a.name),
      groups,
      depsFor: async (names) => ({
        accounts: await Promise.all(
          accounts.filter((a) => names.includes(a.name)).map(async (a) => ({ account: a.name, cas: await a.cas() })),
        ),
        inventory,
        claims: s.claims,
        snapshots: s.snapshots,
        // The trend compares like with like: only a digest of every account keeps it.
        trend: names.length === accounts.length,
        probes: { results: s.probes, enabled: config.PROBE_INTERVAL_MINUTES > 0 },
        poster: lazyPoster,
        render,
        logger,
        now,
        instanceId,
        postRetry: overrides.postRetry,
        observe: metrics.observe,
      }),
      retryForMs: config.DIGEST_RETRY_MINUTES * 60_000,
      retryBaseDelayMs: overrides.retryBaseDelayMs,
      leaseMs: overrides.digestLeaseMs,
      now,
    });
  });

  // One prober for the scheduled pass and /cert-probe: one trust store read, one concurrency bound.
  const prober = once(async () => proberFromConfig(config, { now }));
  const probeEndpoint = async (endpoint: Endpoint): Promise<EndpointVerdict> => {
    const listing = await (await certificates()).list('all', undefined, now());
    const { verdicts } = await checkEndpoints({
      endpoints: [endpoint],
      prober: await prober(),
      certificates: listing.certificates,
      now,
      checkDeny: true,
    });
    return verdicts[0] as EndpointVerdict;
  };

  const probePass = async (): Promise<ProbePassResult | undefined> => {
    const [snapshot, s] = await Promise.all([inventorySnapshot(), store()]);
    if (!snapshot) return undefined;
    return runProbePass({
      certificates: snapshot.certificates,
      results: s.probes,
      prober: await prober(),
      configured: config.PROBE_TARGETS,
      maxTargets: config.PROBE_MAX_TARGETS,
      failuresBeforeAlert: config.PROBE_FAILURES_BEFORE_ALERT,
      now,
    });
  };

  // Deployments from Slack (DEPLOY_ENABLED=true): the flow after approval, the tracker, the listeners' deps.
  const deployDeps = once(async () => {
    const [{ buildDeployDeps }, s] = await Promise.all([import('./slack/deploy/wiring'), store()]);
    const interval = config.INVENTORY_SYNC_MINUTES * 60_000;
    return buildDeployDeps({
      config,
      store: s,
      cas: async (name) => accounts.find((a) => a.name === name)?.cas(),
      certificates: async (name, at) => {
        const source = await subset(await accountSources(interval > 0 ? 2 * interval : undefined), [name]);
        const listing = await source.list('all', undefined, at);
        return { certificates: listing.certificates, live: listing.freshness.source === 'live' };
      },
      web: webClient,
      postWeb: postClient,
      postRetry: overrides.postRetry,
      logger,
      now,
      instanceId,
      leaseMs: overrides.deployLeaseMs,
      observe: metrics.observe,
      // The resources moved: read them again (a sync of the account), and the alerts follow.
      afterFinished: async (request) => {
        await syncNow({ account: request.account });
      },
      probe:
        config.PROBE_INTERVAL_MINUTES > 0
          ? async (endpoints) => {
              const { probeAndRecord } = await import('./deploy/probe-after');
              const listing = await (await certificates()).list('all', undefined, now());
              return probeAndRecord({
                endpoints,
                prober: await prober(),
                certificates: listing.certificates,
                results: s.probes,
                failuresBeforeAlert: config.PROBE_FAILURES_BEFORE_ALERT,
                now,
              });
            }
          : undefined,
    });
  });

  const jobs = once(async () => {
    const scheduler = await buildJobs({
      config,
      logger,
      now,
      instanceId,
      overrides,
      store,
      accounts: accounts.map((a) => a.name),
      syncAll,
      alertDeps,
      digest,
      digestChannels,
      trigger,
      probePass,
      deployFlow: async () => (await deployDeps()).flow,
    });
    built.jobs = scheduler;
    return scheduler;
  });

  // App Home: the stored inventory, the alert store and GetAssetCount (cached by each client); no listing.
  const homeView: Services['homeView'] = async (userId) => {
    const [{ buildHomeView }, s] = await Promise.all([import('./slack/views/home'), store()]);
    const scores = accounts.map((a) => ({ name: a.name, assetCount: async () => (await a.cas()).getAssetCount() }));
    return buildHomeView(
      {
        accounts: scores,
        inventory,
        alerts: s.alerts,
        snapshots: s.snapshots,
        probes: { results: s.probes, enabled: config.PROBE_INTERVAL_MINUTES > 0 },
        now,
        accountTimeoutMs: config.ACCOUNT_ANSWER_TIMEOUT_MS,
      },
      userId,
    );
  };

  // The bot's Slack IDs from the start-up token check (auth.test), for Bolt.
  let checkedIdentity: { botId: string; botUserId: string } | undefined;
  /** auth.test before anything else: a refused token or an unreachable Slack fails start-up. */
  const checkSlackToken = async () => {
    try {
      const result = await (await probeClient()).auth.test();
      return result.bot_id && result.user_id ? { botId: result.bot_id, botUserId: result.user_id } : undefined;
    } catch (error) {
      throw slackStartupError(error, config.SLACK_API_URL);
    }
  };
  const slack = once(async () => {
    const [s, source, d, clients] = await Promise.all([
      store(),
      answerCertificates(),
      digest(),
      Promise.all(accounts.map(async (a) => ({ name: a.name, cas: await a.cas() }))),
    ]);
    const routes = opsRoutes({ metrics, readiness });
    const { createSlackApp } = await import('./slack/app');
    const app = createSlackApp(
      {
        botToken: config.SLACK_BOT_TOKEN as string,
        signingSecret: config.SLACK_SIGNING_SECRET,
        appToken: config.SLACK_APP_TOKEN,
        apiUrl: config.SLACK_API_URL,
        port: config.PORT,
        routes,
        webApiRetries: overrides.slackRetries,
        // Known from the start-up token check: Bolt then makes no auth.test of its own, whose
        // failure nothing could catch.
        botIdentity: overrides.botIdentity ?? checkedIdentity,
      },
      {
        accounts: clients,
        certificates: source,
        certificatesOf: (names) => answerCertificates(names),
        inventory,
        store: s,
        logger,
        now,
        adminUserIds: config.ADMIN_USER_IDS,
        accountAnswerTimeoutMs: config.ACCOUNT_ANSWER_TIMEOUT_MS,
        instanceId,
        digestPreview: (account) => d.preview(account),
        alertDeps,
        homeView,
        probeEndpoint,
        probeResults: async () => ({ verdicts: await s.probes.list(), probing: config.PROBE_INTERVAL_MINUTES > 0 }),
        observe: metrics.observe,
        inflight,
        ...(config.DEPLOY_ENABLED ? { deploy: await deployDeps() } : {}),
      },
    );
    built.slack = app;
    return app;
  });

  /**
   * The environment's account without keys signs with the default credential chain; when the
   * chain finds nothing every CAS call fails, so say so at start (the bot still serves: the
   * credentials may be set, a role attached, later). Accounts of CAS_ACCOUNTS_FILE were checked
   * when the file was read.
   */
  const warnWithoutCasCredentials = async () => {
    if (config.CAS_ACCOUNTS_FILE || !accounts.some((a) => a.config.credentials.kind === 'chain')) return;
    const outcome = await probeDefaultCredentials(CREDENTIAL_CHECK_MS);
    if (outcome === 'found') return;
    logger.warn(
      outcome === 'timeout'
        ? { detail: `the default credential chain gave no answer in ${CREDENTIAL_CHECK_MS} ms` }
        : {},
      'CAS credentials: none found (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET unset, no credentials file, no OIDC or ECS role); the bot serves but every CAS call will fail until they are set',
    );
  };

  let stopping: Promise<void> | undefined;
  let warmTimer: NodeJS.Timeout | undefined;
  return {
    config,
    accounts,
    selectAccounts,
    logger,
    now,
    instanceId,
    metrics,
    readiness,
    store,
    cas,
    certificates,
    alertDeps,
    probePass,
    async runAlerts(options) {
      const deps = await alertDeps();
      if (options.account === undefined) return alertPass(deps, options);
      const [only] = selectAccounts(options.account);
      // Endpoints are not an account's: a pass of one account leaves drift alerts to the others.
      return alertPass({ ...deps, inventory: accountsReader(deps.inventory, [only.name]), drift: undefined }, options);
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
    syncAll,
    digest,
    homeView,
    slack,
    jobs,
    async start() {
      if (!overrides.botIdentity) checkedIdentity = await checkSlackToken();
      await warnWithoutCasCredentials();
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
      // Another replica (or `cert-bot sync`) may write a new inventory: read it within a minute,
      // not at the first list that needs it. Unchanged, this costs one small query.
      warmTimer = setInterval(() => void inventorySnapshot().catch(() => undefined), 60_000);
      warmTimer.unref();
      scheduler.start();
      return { port };
    },
    stop() {
      const drainMs = overrides.drainMs ?? SHUTDOWN_DRAIN_MS;
      stopping ??= (async () => {
        clearInterval(warmTimer);
        const quiet = (what: string) => (error: unknown) => logger.warn({ err: describeError(error) }, `stop: ${what}`);
        await built.slack?.stop().catch(quiet('slack'));
        const drained = await inflight.drained(drainMs);
        if (!drained) logger.warn({ inflight: inflight.count() }, 'shutting down with answers still in flight');
        await built.jobs?.stop(drainMs).catch(quiet('jobs'));
        await Promise.all(built.cas.map((client) => client.close().catch(quiet('cas'))));
        if (!overrides.store) await built.store?.close().catch(quiet('store'));
      })();
      return stopping;
    },
  };
}

/**
 * How long a stop waits for answers in flight, and then again for a running job: a deployment's
 * grace period before SIGKILL must cover both (deploy/kubernetes checks it).
 */
export const SHUTDOWN_DRAIN_MS = 10_000;
