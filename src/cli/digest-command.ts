import os from 'node:os';
import { WebClient } from '@slack/web-api';
import { buildCasClient } from '../cas';
import type { Config } from '../config';
import { collectDigest } from '../digest/collect';
import { periodAt } from '../digest/period';
import { runDigest } from '../digest/run';
import type { Logger } from '../ops/logger';
import { renderForTerminal } from '../render/terminal';
import { digestRenderer } from '../slack/blocks/digest';
import { openStore } from '../store';
import { type Output, UsageError } from './output';

export interface DigestCommandOptions {
  dryRun?: boolean;
  post?: boolean;
  force?: boolean;
  json?: boolean;
}

/**
 * `cert-bot digest --dry-run` builds this period's digest and prints it, posting nothing and
 * recording nothing; `--post` runs it through the ledger exactly as the scheduler does.
 */
export async function digestCommand(
  config: Config,
  options: DigestCommandOptions,
  output: Output,
  logger: Logger,
  now: () => Date,
): Promise<number> {
  if (Boolean(options.dryRun) === Boolean(options.post))
    throw new UsageError('give exactly one of --dry-run or --post');
  if (options.force && !options.post) throw new UsageError('--force only applies to --post');
  const schedule = { cron: config.DIGEST_CRON, timezone: config.DIGEST_TIMEZONE };
  const period = periodAt(schedule, now());
  const cas = await buildCasClient(config);
  const store = await openStore(config);
  try {
    if (options.dryRun) {
      const message = digestRenderer.digest(await collectDigest(cas, store, period, now()));
      output.out(
        options.json ? JSON.stringify(message, null, 2) : renderForTerminal(message, { color: process.stdout.isTTY }),
      );
      return 0;
    }
    if (config.DIGEST_CHANNEL.length === 0) throw new UsageError('DIGEST_CHANNEL is not set: no channel to post to');
    if (!config.SLACK_BOT_TOKEN) throw new UsageError('SLACK_BOT_TOKEN is not set: cannot post to Slack');
    const slack = new WebClient(config.SLACK_BOT_TOKEN, {
      slackApiUrl: config.SLACK_API_URL,
      retryConfig: { retries: 3 },
    });
    const outcomes = await runDigest(
      {
        cas,
        store,
        logger,
        now,
        render: digestRenderer,
        instanceId: `${os.hostname()}:${process.pid}:cli`,
        poster: {
          postMessage: async (message) => ({ ts: (await slack.chat.postMessage(message)).ts }),
        },
      },
      {
        period,
        channels: config.DIGEST_CHANNEL,
        force: options.force,
        retryForMs: config.DIGEST_RETRY_MINUTES * 60_000,
      },
    );
    if (options.json) output.out(JSON.stringify({ period: period.key, outcomes }, null, 2));
    else
      for (const o of outcomes)
        output.out(
          `${o.channel}: ${o.status}${o.messageTs ? ` (ts ${o.messageTs})` : ''}${
            o.status === 'skipped' ? ' — already posted for this period; --force posts again' : ''
          }${o.error ? ` — ${o.error}` : ''}`,
        );
    return outcomes.some((o) => o.status === 'failed' || o.status === 'released') ? 1 : 0;
  } finally {
    await cas.close();
    await store.close();
  }
}
