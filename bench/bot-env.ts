/**
 * The bot's settings in bench:inventory's processes: only the bench's own, so a config variable
 * exported in the developer's shell cannot change what is measured.
 */
import { configSchema } from '../src/config';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../src/sandbox';

/** Only the bench's settings: a config variable exported in this shell would change what is measured. */
export function cleanEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(configSchema.shape)) delete env[name];
  return { ...env, ...settings };
}

export function botSettings(input: {
  casUrl: string;
  dataDir: string;
  qps: number;
  maxConcurrent?: number;
  signingSecret: string;
  slackApiUrl: string;
}): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_ENDPOINT: input.casUrl,
    CAS_QPS: String(input.qps),
    ...(input.maxConcurrent ? { CAS_MAX_CONCURRENT: String(input.maxConcurrent) } : {}),
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: input.signingSecret,
    // Nothing should call the Slack Web API (the bot's identity is given); if anything did, it
    // would meet a closed local port rather than slack.com.
    SLACK_API_URL: input.slackApiUrl,
    PORT: '0',
    DATA_DIR: input.dataDir,
    INVENTORY_SYNC_MINUTES: '0',
    LOG_LEVEL: 'silent',
  };
}
