import os from 'node:os';
import { WebClient } from '@slack/web-api';
import { buildCasClient, type CasClient } from './cas';
import type { Config } from './config';
import { digestPreview } from './digest/preview';
import { type DigestDeps, runDigest } from './digest/run';
import { type DigestScheduler, startDigestScheduler } from './digest/scheduler';
import { createInflight } from './ops/inflight';
import type { Logger } from './ops/logger';
import { createMetrics, type Metrics } from './ops/metrics';
import { createReadiness } from './ops/readiness';
import { opsRoutes } from './ops/routes';
import { createSlackApp, type SlackApp } from './slack/app';
import { digestRenderer } from './slack/blocks/digest';
import type { SlackDeps } from './slack/deps';
import { openStore } from './store';
import type { Store } from './store/types';

export interface BotOptions {
  config: Config;
  logger: Logger;
  now?: () => Date;
  /** How long a shutdown waits for commands in flight (default 10 s). */
  drainMs?: number;
  /** Tests: skip Bolt's auth.test, fail fast on Web API errors, retry CAS quickly. */
  testing?: { botIdentity?: { botId: string; botUserId: string }; webApiRetries?: number; retryBaseDelayMs?: number };
}

export interface Bot {
  port: number | undefined;
  metrics: Metrics;
  cas: CasClient;
  store: Store;
  slack: SlackApp;
  scheduler?: DigestScheduler;
  digestDeps: DigestDeps;
  stop(): Promise<void>;
}

/** Everything `cert-bot serve` runs: store, CAS client, Slack app and digest scheduler. */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());
  const store = await openStore(config);
  const metrics = createMetrics();
  const inflight = createInflight();
  // The readiness probe's own Slack client: auth.test there needs nothing from the app.
  const probeClient = new WebClient(config.SLACK_BOT_TOKEN, {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig: { retries: 0 },
  });
  const cas = await buildCasClient(config, { retryBaseDelayMs: options.testing?.retryBaseDelayMs });
  const readiness = createReadiness({
    store: () => store.ping(),
    cas: async () => {
      await cas.getAssetCount();
    },
    slack: async () => {
      await probeClient.auth.test();
    },
  });
  // Every successful call counts for readiness, so the probe rarely needs a call of its own.
  cas.events.on('call', (_operation, outcome) => {
    if (outcome === 'ok') readiness.casSucceeded();
  });
  cas.events.on('limiter', (state, detail) => {
    if (state === 'lost')
      logger.error({ limiter: detail }, 'shared rate limiter (Redis) unreachable; CAS calls fail until it is back');
    else logger.info({ limiter: detail }, 'shared rate limiter (Redis) reachable again');
  });
  metrics.watchCas(cas.events);
  metrics.watchQueueDepth(() => cas.queueDepth());
  metrics.watchRisk(async () => {
    const [risk, assets] = await Promise.all([cas.getRiskCount(), cas.getAssetCount()]);
    return { risk, assets };
  });
  const deps: SlackDeps = {
    cas,
    store,
    logger,
    now,
    adminUserIds: config.ADMIN_USER_IDS,
    observe: metrics.observe,
    inflight,
  };

  const schedule = { cron: config.DIGEST_CRON, timezone: config.DIGEST_TIMEZONE };
  const slack = createSlackApp(
    {
      botToken: config.SLACK_BOT_TOKEN as string,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      port: config.PORT,
      routes: opsRoutes({ metrics, readiness }),
      webApiRetries: options.testing?.webApiRetries,
      botIdentity: options.testing?.botIdentity,
    },
    deps,
    { digestPreview: digestPreview(cas, store, schedule, now) },
  );

  const digestDeps: DigestDeps = {
    cas,
    store,
    logger,
    now,
    render: digestRenderer,
    instanceId: `${os.hostname()}:${process.pid}`,
    observe: metrics.observe,
    poster: {
      postMessage: async (message) => {
        const result = await slack.app.client.chat.postMessage(message);
        return { ts: result.ts };
      },
    },
  };

  const { port } = await slack.start();
  logger.info({ port, mode: config.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'cert-bot is serving');

  let scheduler: DigestScheduler | undefined;
  if (config.DIGEST_CHANNEL.length === 0) {
    logger.info('DIGEST_CHANNEL is not set: no weekly digest will be posted');
  } else {
    scheduler = startDigestScheduler({
      schedule,
      channels: config.DIGEST_CHANNEL,
      store,
      logger,
      now,
      run: (period) =>
        runDigest(digestDeps, {
          period,
          channels: config.DIGEST_CHANNEL,
          retryForMs: config.DIGEST_RETRY_MINUTES * 60_000,
          retryBaseDelayMs: options.testing?.retryBaseDelayMs,
        }),
    });
  }

  const drainMs = options.drainMs ?? 10_000;
  let stopping: Promise<void> | undefined;
  return {
    port,
    metrics,
    cas,
    store,
    slack,
    scheduler,
    digestDeps,
    stop() {
      // Stop taking requests, let answers in flight finish, then close what they use.
      stopping ??= (async () => {
        await slack.stop().catch((error: unknown) => logger.warn({ err: { name: (error as Error)?.name } }, 'stop'));
        const drained = await inflight.drained(drainMs);
        if (!drained) logger.warn({ inflight: inflight.count() }, 'shutting down with commands still in flight');
        await scheduler?.stop(drainMs);
        await cas.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
