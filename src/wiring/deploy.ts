import type { WebClient } from '@slack/web-api';
import type { CasClient } from '../cas';
import type { Config } from '../config';
import type { PostRetry } from '../delivery/post-once';
import type { DeployFlowDeps } from '../deploy/request-flow';
import type { AccountSource, MergedSource } from '../inventory/merged-source';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import type { SlackDeployDeps } from '../slack/deploy/register';
import type { Store } from '../store/types';

export interface DeployInput {
  config: Config;
  store: Store;
  accounts: ReadonlyArray<{ name: string; cas(): Promise<CasClient> }>;
  /** Every account's source, live when the inventory is older than `maxAgeMs` (inventory/sources.ts). */
  accountSources(maxAgeMs?: number): Promise<AccountSource[]>;
  subset(all: readonly AccountSource[], names?: readonly string[]): MergedSource;
  webClient(): Promise<WebClient>;
  postClient(): Promise<WebClient>;
  postRetry?: PostRetry;
  logger: Logger;
  now: () => Date;
  instanceId: string;
  leaseMs?: number;
  observe: Metrics['observe'];
  /** One account's sync, with what follows it: the resources moved. */
  syncAccount(account: string): Promise<unknown>;
  probe?: DeployFlowDeps['probe'];
}

/**
 * Deployments from Slack (DEPLOY_ENABLED=true): the flow after approval, the tracker's and the
 * listeners' parts. A plan reads the inventory while it is younger than two sync intervals,
 * else CAS; a finished job is followed by a sync of its account, and the alerts follow that.
 */
export async function buildDeploy(input: DeployInput): Promise<SlackDeployDeps> {
  const { buildDeployDeps } = await import('../slack/deploy/wiring');
  const interval = input.config.INVENTORY_SYNC_MINUTES * 60_000;
  return buildDeployDeps({
    config: input.config,
    store: input.store,
    cas: async (name) => input.accounts.find((a) => a.name === name)?.cas(),
    certificates: async (name, at) => {
      const source = input.subset(await input.accountSources(interval > 0 ? 2 * interval : undefined), [name]);
      const listing = await source.list('all', undefined, at);
      return { certificates: listing.certificates, live: listing.freshness.source === 'live' };
    },
    web: input.webClient,
    postWeb: input.postClient,
    postRetry: input.postRetry,
    logger: input.logger,
    now: input.now,
    instanceId: input.instanceId,
    leaseMs: input.leaseMs,
    observe: input.observe,
    afterFinished: async (request) => {
      await input.syncAccount(request.account);
    },
    probe: input.probe,
  });
}
