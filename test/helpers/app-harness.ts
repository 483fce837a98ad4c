import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CasClient } from '../../src/cas/client';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/ops/logger';
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox';
import { createServices, type ServiceOverrides, type Services } from '../../src/services';
import type { Store } from '../../src/store/types';
import { LossyProxy } from './lossy-proxy';
import { FakeSlack } from './fake-slack';
import {
  appHomeOpened,
  buttonForm,
  commandForm,
  homeButtonForm,
  postSigned,
  postSignedJson,
  SIGNING_SECRET,
} from './slack-requests';

export const ADMIN = 'U0ADMIN01';
export const OTHER_ADMIN = 'U0ADMIN02';
export const USER = 'U0USER001';

/** Captured log lines, for assertions that nothing secret was logged. */
export class LogCapture {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  text(): string {
    return this.lines.join('');
  }
}

/**
 * The real app on a free port in HTTP mode, built by createServices as `serve` builds it, with
 * the CAS simulator behind the real client, a fake Slack Web API and response_url sink, and a
 * real SQLite store in a temporary folder.
 */
export class AppHarness {
  sandbox!: Sandbox;
  slack!: FakeSlack;
  /** With `lossySlack`: the proxy in front of the fake Slack. */
  proxy?: LossyProxy;
  store!: Store;
  cas!: CasClient;
  services!: Services;
  logs = new LogCapture();
  logger!: Logger;
  port = 0;
  readonly dataDir: string;
  private readonly ownsDataDir: boolean;
  private ownsSandbox = true;
  private responseCounter = 0;

  /** A harness on its own new data folder, or on `dataDir` (another replica, or a restart). */
  constructor(dataDir?: string) {
    this.ownsDataDir = dataDir === undefined;
    this.dataDir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-test-'));
  }

  async start(
    options: {
      certs?: number;
      now?: () => Date;
      env?: Record<string, string>;
      sandbox?: Partial<SandboxOptions>;
      /** Runs once the simulator listens, before the configuration is read (e.g. to write an accounts file). */
      beforeConfig?: (sandboxUrl: string) => void;
      /** Another harness's simulator (a restart or a replica talks to the same CAS); it stays theirs to close. */
      sharedSandbox?: Sandbox;
      overrides?: Pick<ServiceOverrides, 'deployTrackMs' | 'instanceId' | 'postRetry'>;
      /** Slack's Web API behind a proxy that can lose answers (harness.proxy). */
      lossySlack?: boolean;
    } = {},
  ): Promise<this> {
    this.ownsSandbox = options.sharedSandbox === undefined;
    this.sandbox =
      options.sharedSandbox ??
      (await startSandbox({ certs: options.certs ?? 120, seed: 11, qps: 100, ...options.sandbox }));
    options.beforeConfig?.(this.sandbox.url);
    this.slack = await new FakeSlack().start();
    if (options.lossySlack) this.proxy = await new LossyProxy(this.slack.port).start();
    this.logger = createLogger({ level: 'debug', destination: this.logs, secrets: [SIGNING_SECRET] });
    const config = loadConfig(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
        CAS_ENDPOINT: this.sandbox.url,
        CAS_QPS: '100',
        CAS_MAX_ATTEMPTS: '2',
        CAS_TIMEOUT_MS: '1500',
        SLACK_BOT_TOKEN: 'xoxb-test-bot-token-000000000000',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: this.proxy?.apiUrl ?? this.slack.apiUrl,
        PORT: '0',
        DATA_DIR: this.dataDir,
        ADMIN_USER_IDS: [ADMIN, OTHER_ADMIN].join(','),
        // Tests sync when they mean to (services.syncNow()); the background job has its own tests.
        INVENTORY_SYNC_MINUTES: '0',
        ...options.env,
      },
      ['slack'],
    );
    this.services = createServices(config, {
      logger: this.logger,
      now: options.now,
      slackRetries: 0,
      retryBaseDelayMs: 20,
      // Known identity: Bolt makes no auth.test of its own that could outlive a short test.
      botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
      ...options.overrides,
    });
    this.store = await this.services.store();
    this.cas = await this.services.cas();
    const { port } = await this.services.start();
    this.port = port ?? 0;
    return this;
  }

  get eventsUrl(): string {
    return `http://127.0.0.1:${this.port}/slack/events`;
  }

  nextResponseId(): string {
    this.responseCounter += 1;
    return `r${this.responseCounter}`;
  }

  /** Sends a signed slash command and waits for its first response_url answer. */
  async command(command: string, text: string, userId = USER) {
    const id = this.nextResponseId();
    const res = await postSigned(
      this.eventsUrl,
      commandForm({ command, text, user_id: userId, response_url: this.slack.responseUrl(id) }),
    );
    const answer = await this.slack.waitForResponse(id);
    return { status: res.status, id, answer: answer.body as unknown as SlackAnswer };
  }

  /** Presses a button and waits for its response_url answer. */
  async press(actionId: string, value: string, userId: string, messageTs?: string) {
    return this.send(this.pressForm(actionId, value, userId, messageTs));
  }

  /** Presses a button whose answer is an update of the message, not a response_url answer. */
  async sendPress(actionId: string, value: string, userId: string, messageTs?: string) {
    const { form } = this.pressForm(actionId, value, userId, messageTs);
    return postSigned(this.eventsUrl, form);
  }

  /** The signed form of a button press, to send (or replay) with `send`. */
  pressForm(actionId: string, value: string, userId: string, messageTs?: string) {
    const id = this.nextResponseId();
    return { id, form: buttonForm({ actionId, value, userId, responseUrl: this.slack.responseUrl(id), messageTs }) };
  }

  /** Sends a (possibly captured) form to this app and waits for the answer at its response_url. */
  async send({ id, form }: { id: string; form: Record<string, string> }, answerIndex = 0) {
    const res = await postSigned(this.eventsUrl, form);
    const answer = await this.slack.waitForResponse(id, answerIndex);
    return { status: res.status, id, answer: answer.body as unknown as SlackAnswer };
  }

  /** Opens the user's Home tab (a signed `app_home_opened` event); resolves with the HTTP status. */
  async openHome(userId = USER, tab: 'home' | 'messages' = 'home'): Promise<number> {
    return (await postSignedJson(this.eventsUrl, appHomeOpened(userId, tab))).status;
  }

  /** The views.publish calls made for a user so far, oldest first. */
  homePublishes(userId = USER): Array<{ user_id: string; view: HomeViewJson }> {
    return this.slack
      .apiCalls('views.publish')
      .filter((c) => c.body.user_id === userId)
      .map((c) => c.body as unknown as { user_id: string; view: HomeViewJson });
  }

  /** Waits for the user's views.publish number `index` (0-based) and returns its view. */
  async waitForHome(userId = USER, index = 0): Promise<HomeViewJson> {
    await this.slack.waitFor(() => this.homePublishes(userId).length > index);
    return this.homePublishes(userId)[index].view;
  }

  /** Presses a button on App Home (no response_url, no channel); resolves with the trigger_id it carried. */
  async pressOnHome(actionId: string, value: string, userId = USER): Promise<{ status: number; triggerId: string }> {
    const { triggerId, form } = homeButtonForm({ actionId, value, userId });
    const res = await postSigned(this.eventsUrl, form);
    return { status: res.status, triggerId };
  }

  async stop(): Promise<void> {
    await this.services?.stop();
    await this.proxy?.stop();
    await this.slack?.stop();
    if (this.ownsSandbox) await this.sandbox?.close();
    if (this.ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A view as the fake Web API received it (views.publish, views.open). */
export interface HomeViewJson {
  type: string;
  blocks: Array<Record<string, unknown>>;
  title?: { text: string };
}

export interface SlackAnswer {
  text: string;
  blocks: Array<Record<string, unknown>>;
  response_type?: string;
  replace_original?: boolean;
}

/** Every piece of text a person would see in a message, joined. */
export function visibleText(answer: { text?: string; blocks?: unknown[] }): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string') parts.push(record.text);
      for (const [key, value] of Object.entries(record)) if (key !== 'text' || typeof value !== 'string') walk(value);
    }
  };
  walk(answer.blocks ?? []);
  return parts.join('\n');
}

/** The buttons of a message, by action_id. */
export function buttons(answer: { blocks?: unknown[] }): Array<{ action_id: string; value?: string; text: string }> {
  const found: Array<{ action_id: string; value?: string; text: string }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'button')
        found.push({
          action_id: String(record.action_id),
          value: record.value as string | undefined,
          text: String((record.text as { text?: string })?.text ?? ''),
        });
      Object.values(record).forEach(walk);
    }
  };
  walk(answer.blocks ?? []);
  return found;
}
