import type { WebClient } from '@slack/web-api';
import type { CasClient } from '../cas';
import type { Config } from '../config';
import type { PostRetry } from '../delivery/post-once';
import { digestGroups } from '../domain/account-selection';
import type { DigestPoster } from '../digest/run';
import { createDigestService, type DigestService } from '../digest/service';
import type { InventoryReader } from '../inventory/inventory-reader';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import { renderTrendChartOffThread } from '../render/chart-thread';
import { digestRenderer } from '../slack/blocks/digest';
import type { SlackMessage } from '../slack/blocks/types';
import { createDigestPoster } from '../slack/digest-poster';
import type { Store } from '../store/types';

/** When the digest is posted, and where: DIGEST_CHANNEL and each account's digestChannels. */
export function digestSchedule(config: Config) {
  const groups = digestGroups(config.DIGEST_CHANNEL, config.accounts);
  return {
    trigger: { cron: config.DIGEST_CRON, timezone: config.DIGEST_TIMEZONE },
    groups,
    channels: groups.flatMap((group) => group.channels),
  };
}

export interface DigestInput {
  config: Config;
  store: Store;
  accounts: ReadonlyArray<{ name: string; cas(): Promise<CasClient> }>;
  /** The stored inventory the digest counts and lists. */
  inventory: InventoryReader;
  postClient(): Promise<WebClient>;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  postRetry?: PostRetry;
  retryBaseDelayMs?: number;
  leaseMs?: number;
  observe: Metrics['observe'];
}

/**
 * The weekly digest (digest/service.ts) in Slack's words: rendered by Slack's renderer, its
 * chart drawn off the main thread, posted by Slack's poster (built at the first post, so a dry
 * run needs no Slack token).
 */
export async function buildDigestService(input: DigestInput): Promise<DigestService<SlackMessage>> {
  const { config, store: s, accounts } = input;
  let poster: Required<DigestPoster> | undefined;
  const built = async () => (poster ??= createDigestPoster(await input.postClient()));
  const lazyPoster: DigestPoster = {
    postMessage: async (message) => (await built()).postMessage(message),
    findPosted: async (...args) => (await built()).findPosted(...args),
    uploadChart: async (chart) => (await built()).uploadChart(chart),
    findChart: async (...args) => (await built()).findChart(...args),
  };
  const render = { ...digestRenderer, chart: renderTrendChartOffThread };
  const { trigger, groups } = digestSchedule(config);
  return createDigestService({
    renderDigest: digestRenderer.digest,
    trigger,
    accounts: accounts.map((a) => a.name),
    groups,
    depsFor: async (names) => ({
      accounts: await Promise.all(
        accounts.filter((a) => names.includes(a.name)).map(async (a) => ({ account: a.name, cas: await a.cas() })),
      ),
      inventory: input.inventory,
      claims: s.claims,
      snapshots: s.snapshots,
      // The trend compares like with like: only a digest of every account keeps it.
      trend: names.length === accounts.length,
      probes: { results: s.probes, enabled: config.PROBE_INTERVAL_MINUTES > 0 },
      poster: lazyPoster,
      render,
      logger: input.logger,
      now: input.now,
      instanceId: input.instanceId,
      postRetry: input.postRetry,
      observe: input.observe,
    }),
    retryForMs: config.DIGEST_RETRY_MINUTES * 60_000,
    retryBaseDelayMs: input.retryBaseDelayMs,
    leaseMs: input.leaseMs,
    now: input.now,
  });
}
