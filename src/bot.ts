import os from 'node:os';
import type { CustomRoute } from '@slack/bolt';
import { buildCasClient, type CasClient, type ClientHooks } from './cas';
import type { Config } from './config';
import { periodAt } from './digest/period';
import { type DigestDeps, runDigest } from './digest/run';
import { type DigestScheduler, startDigestScheduler } from './digest/scheduler';
import type { Logger } from './ops/logger';
import { createSlackApp, type SlackApp } from './slack/app';
import { digestRenderer } from './slack/blocks/digest';
import type { SlackDeps } from './slack/deps';
import { openStore } from './store';
import type { Store } from './store/types';

export interface BotOptions {
  config: Config;
  logger: Logger;
  now?: () => Date;
  /** Extra HTTP routes (health, metrics). */
  routes?: CustomRoute[];
  casHooks?: ClientHooks;
  observe?: SlackDeps['observe'] & DigestDeps['observe'];
  /** Tests: skip Bolt's auth.test, fail fast on Web API errors, retry CAS quickly. */
  testing?: { botIdentity?: { botId: string; botUserId: string }; webApiRetries?: number; retryBaseDelayMs?: number };
}

export interface Bot {
  port: number | undefined;
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
  const cas = await buildCasClient(config, {
    hooks: options.casHooks,
    retryBaseDelayMs: options.testing?.retryBaseDelayMs,
  });
  const deps: SlackDeps = {
    cas,
    store,
    logger,
    now,
    adminUserIds: config.ADMIN_USER_IDS,
    observe: options.observe,
  };

  let digestDeps: DigestDeps | undefined;
  const schedule = { cron: config.DIGEST_CRON, timezone: config.DIGEST_TIMEZONE };
  const slack = createSlackApp(
    {
      botToken: config.SLACK_BOT_TOKEN as string,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      port: config.PORT,
      routes: options.routes,
      webApiRetries: options.testing?.webApiRetries,
      botIdentity: options.testing?.botIdentity,
    },
    deps,
    {
      digestPreview: async () => {
        const { collectDigest } = await import('./digest/collect');
        const data = await collectDigest(cas, store, periodAt(schedule, now()), now());
        return digestRenderer.digest(data);
      },
    },
  );

  digestDeps = {
    cas,
    store,
    logger,
    now,
    render: digestRenderer,
    instanceId: `${os.hostname()}:${process.pid}`,
    observe: options.observe,
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
    const runDeps = digestDeps;
    scheduler = startDigestScheduler({
      schedule,
      channels: config.DIGEST_CHANNEL,
      store,
      logger,
      now,
      run: (period) =>
        runDigest(runDeps, {
          period,
          channels: config.DIGEST_CHANNEL,
          retryForMs: config.DIGEST_RETRY_MINUTES * 60_000,
          retryBaseDelayMs: options.testing?.retryBaseDelayMs,
        }),
    });
  }

  return {
    port,
    cas,
    store,
    slack,
    scheduler,
    digestDeps,
    async stop() {
      await scheduler?.stop();
      await slack.stop();
      await cas.close();
      await store.close();
    },
  };
}
