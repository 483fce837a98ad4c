import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Bot, startBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { loggerForConfig } from '../../src/ops/logger';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox } from '../../src/sandbox';
import { LogCapture } from './app-harness';
import type { FakeSlack } from './fake-slack';
import { SIGNING_SECRET } from './slack-requests';

export const BOT_TOKEN = 'xoxb-test-bot-token-000000000000';

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-digest-'));
}

/** The environment `cert-bot serve` would read, pointed at the simulator and the fake Slack. */
export function botEnv(sandbox: Sandbox, slack: FakeSlack, extra: Record<string, string>): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_ENDPOINT: sandbox.url,
    CAS_QPS: '100',
    CAS_CACHE_TTL_SECONDS: '0',
    CAS_TIMEOUT_MS: '1500',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

/** The whole bot as `cert-bot serve` builds it, with its logs captured. */
export async function startTestBot(
  env: Record<string, string>,
  logs = new LogCapture(),
): Promise<Bot & { logs: LogCapture }> {
  const config = loadConfig(env, ['slack']);
  const logger = loggerForConfig(config, logs);
  const bot = await startBot({
    config,
    logger,
    testing: { webApiRetries: 2, retryBaseDelayMs: 20, botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' } },
  });
  return Object.assign(bot, { logs });
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}
