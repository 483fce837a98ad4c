import type { WebClient } from '@slack/web-api';
import type { AccountConfig } from '../accounts/account-config';
import type { Config } from '../config';
import type { Logger } from '../ops/logger';
import { CREDENTIAL_CHECK_MS, probeDefaultCredentials, slackStartupError } from './startup-errors';

/** The checks `start()` makes before it serves. */

/**
 * auth.test before anything else: a refused token or an unreachable Slack fails start-up (a
 * StartupError naming what to fix). Resolves with the bot's Slack IDs, which Bolt then need not
 * ask for itself.
 */
export async function checkSlackToken(
  probeClient: () => Promise<WebClient>,
  apiUrl: string | undefined,
): Promise<{ botId: string; botUserId: string } | undefined> {
  try {
    const result = await (await probeClient()).auth.test();
    return result.bot_id && result.user_id ? { botId: result.bot_id, botUserId: result.user_id } : undefined;
  } catch (error) {
    throw slackStartupError(error, apiUrl);
  }
}

/**
 * The environment's account without keys signs with the default credential chain; when the
 * chain finds nothing every CAS call fails, so say so at start (the bot still serves: the
 * credentials may be set, a role attached, later). Accounts of CAS_ACCOUNTS_FILE were checked
 * when the file was read.
 */
export async function warnWithoutCasCredentials(
  config: Pick<Config, 'CAS_ACCOUNTS_FILE'>,
  accounts: ReadonlyArray<{ config: AccountConfig }>,
  logger: Logger,
): Promise<void> {
  if (config.CAS_ACCOUNTS_FILE || !accounts.some((a) => a.config.credentials.kind === 'chain')) return;
  const outcome = await probeDefaultCredentials(CREDENTIAL_CHECK_MS);
  if (outcome === 'found') return;
  logger.warn(
    outcome === 'timeout' ? { detail: `the default credential chain gave no answer in ${CREDENTIAL_CHECK_MS} ms` } : {},
    'CAS credentials: none found (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET unset, no credentials file, no OIDC or ECS role); the bot serves but every CAS call will fail until they are set',
  );
}
