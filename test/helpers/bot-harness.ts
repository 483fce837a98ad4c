import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DigestDeps } from '../../src/digest/run';
import { createServices, type ServiceOverrides, type Services } from '../../src/services';
import { openStore } from '../../src/store';
import type { Store } from '../../src/store/types';
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
    // Tests that want the background inventory sync turn it on; elsewhere it only adds load.
    INVENTORY_SYNC_MINUTES: '0',
    ...extra,
  };
}

export interface TestBot {
  services: Services;
  port: number | undefined;
  store: Store;
  digestDeps: DigestDeps;
  /** Resolves once the start-up catch-up has run. */
  jobsStarted: Promise<void>;
  logs: LogCapture;
  stop(): Promise<void>;
}

/**
 * A store as a bot that has been running a while leaves it: created `ageMs` ago (so the digest
 * of the current period is the bot's to post, as a catch-up if need be) and with one inventory
 * sync of every account done. A fresh store posts no digest before both (see digest/job.ts).
 */
export async function establishedStore(env: Record<string, string>, ageMs = 30 * 86_400_000): Promise<void> {
  const config = loadConfig(env, ['slack']);
  const store = await openStore(config);
  try {
    await store.info.recordCreation(new Date(Date.now() - ageMs));
    const services = createServices(config, { store, logger: loggerForConfig(config, new LogCapture()) });
    try {
      const results = await services.syncAll();
      if (results.some((r) => 'error' in r)) throw new Error('the set-up inventory sync failed');
    } finally {
      await services.stop();
    }
  } finally {
    await store.close();
  }
}

let botCounter = 0;

/** The whole bot as `cert-bot serve` builds it, started, with its logs captured. */
export async function startTestBot(
  env: Record<string, string>,
  logs = new LogCapture(),
  overrides: ServiceOverrides = {},
): Promise<TestBot> {
  const config = loadConfig(env, ['slack']);
  const logger = loggerForConfig(config, logs);
  const services = createServices(config, {
    logger,
    slackRetries: 2,
    retryBaseDelayMs: 20,
    botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
    // Several bots in one test process are several replicas: each its own holder of claims.
    instanceId: `test-bot-${++botCounter}:${process.pid}`,
    ...overrides,
  });
  const { port } = await services.start();
  const store = await services.store();
  const digestDeps = (await services.digest()).deps;
  const jobsStarted = (await services.jobs()).started;
  return { services, port, store, digestDeps, jobsStarted, logs, stop: () => services.stop() };
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

/**
 * `serve` in a child process, built from dist/ as the CLI is, with the same environment and
 * a short digest lease, so a test can kill it (SIGKILL: no orderly stop) mid-work.
 */
export function spawnBot(
  env: Record<string, string>,
  overrides: { digestLeaseMs?: number; deployTrackMs?: number; deployLeaseMs?: number } = {},
): ChildProcess {
  const dist = path.resolve(__dirname, '..', '..', 'dist', 'src');
  const script = `
    const { loadConfig } = require(${JSON.stringify(path.join(dist, 'config.js'))});
    const { loggerForConfig } = require(${JSON.stringify(path.join(dist, 'ops', 'logger.js'))});
    const { createServices } = require(${JSON.stringify(path.join(dist, 'services.js'))});
    const config = loadConfig(process.env, ['slack']);
    createServices(config, {
      logger: loggerForConfig(config),
      slackRetries: 0,
      retryBaseDelayMs: 20,
      botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
      digestLeaseMs: ${overrides.digestLeaseMs ?? 120_000},
      deployTrackMs: ${overrides.deployTrackMs ?? 'undefined'},
      deployLeaseMs: ${overrides.deployLeaseMs ?? 'undefined'},
    }).start().catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Drained, so a chatty child never blocks on a full pipe; kept short for a failing test's message.
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4_000)));
  Object.defineProperty(child, 'errorOutput', { get: () => errors });
  return child;
}
