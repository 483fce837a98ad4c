import type { AlertDeps } from '../alerts/run';
import type { CasClient } from '../cas';
import type { Config } from '../config';
import type { DigestService } from '../digest/service';
import type { MergedSource } from '../inventory/merged-source';
import type { InventoryReader } from '../inventory/inventory-reader';
import type { Inflight } from '../ops/inflight';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import type { Readiness } from '../ops/readiness';
import { opsRoutes } from '../ops/routes';
import type { SlackApp } from '../slack/app';
import type { HomeView } from '../slack/blocks/home';
import type { SlackMessage } from '../slack/blocks/types';
import type { SlackDeployDeps } from '../slack/deploy/register';
import type { Store } from '../store/types';
import type { Probing } from './probing';

export interface SlackAppInput {
  config: Config;
  /** Bolt's Web API retries (ServiceOverrides.slackRetries). */
  webApiRetries?: number;
  /** The bot's Slack IDs, when known (from the start-up token check, or given by a test). */
  botIdentity(): { botId: string; botUserId: string } | undefined;
  store(): Promise<Store>;
  accounts: ReadonlyArray<{ name: string; cas(): Promise<CasClient> }>;
  /** What answers to people list: a hanging account waits ACCOUNT_ANSWER_TIMEOUT_MS at most. */
  answerCertificates(names?: readonly string[]): Promise<MergedSource>;
  /** What answers read of the stored inventory (status, a page of a selection, counts). */
  inventory: InventoryReader;
  digest(): Promise<DigestService<SlackMessage>>;
  alertDeps(): Promise<AlertDeps>;
  homeView(userId: string): Promise<HomeView>;
  probing: Pick<Probing, 'probeEndpoint'>;
  /** Deployments from Slack, built when DEPLOY_ENABLED=true. */
  deploy(): Promise<SlackDeployDeps>;
  metrics: Metrics;
  readiness: Readiness;
  inflight: Inflight;
  logger: Logger;
  now: () => Date;
  instanceId: string;
}

/** The Slack app `serve` runs: its listeners and their deps, and the ops routes beside them. */
export async function buildSlackApp(input: SlackAppInput): Promise<SlackApp> {
  const { config, metrics } = input;
  const [s, source, d, clients] = await Promise.all([
    input.store(),
    input.answerCertificates(),
    input.digest(),
    Promise.all(input.accounts.map(async (a) => ({ name: a.name, cas: await a.cas() }))),
  ]);
  const { createSlackApp } = await import('../slack/app');
  return createSlackApp(
    {
      botToken: config.SLACK_BOT_TOKEN as string,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      port: config.PORT,
      routes: opsRoutes({ metrics, readiness: input.readiness }),
      webApiRetries: input.webApiRetries,
      // Known from the start-up token check: Bolt then makes no auth.test of its own, whose
      // failure nothing could catch.
      botIdentity: input.botIdentity(),
    },
    {
      accounts: clients,
      certificates: source,
      certificatesOf: (names) => input.answerCertificates(names),
      inventory: input.inventory,
      store: s,
      logger: input.logger,
      now: input.now,
      adminUserIds: config.ADMIN_USER_IDS,
      accountAnswerTimeoutMs: config.ACCOUNT_ANSWER_TIMEOUT_MS,
      instanceId: input.instanceId,
      digestPreview: (account) => d.preview(account),
      alertDeps: input.alertDeps,
      homeView: input.homeView,
      probeEndpoint: input.probing.probeEndpoint,
      probeResults: async () => ({ verdicts: await s.probes.list(), probing: config.PROBE_INTERVAL_MINUTES > 0 }),
      observe: metrics.observe,
      inflight: input.inflight,
      ...(config.DEPLOY_ENABLED ? { deploy: await input.deploy() } : {}),
    },
  );
}
