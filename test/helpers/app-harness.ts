import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CasClient } from '../../src/cas/client';
import { digestPreview } from '../../src/digest/preview';
import { createLogger, type Logger } from '../../src/ops/logger';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import { openSqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/types';
import { clientFor } from './cas';
import { FakeSlack } from './fake-slack';
import { buttonForm, commandForm, postSigned, SIGNING_SECRET } from './slack-requests';

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
 * The real app on a free port in HTTP mode, with the CAS simulator behind the real client,
 * a fake Slack Web API and response_url sink, and a real SQLite store in a temporary folder.
 */
export class AppHarness {
  sandbox!: Sandbox;
  slack!: FakeSlack;
  store!: Store;
  cas!: CasClient;
  app!: SlackApp;
  logs = new LogCapture();
  logger!: Logger;
  port = 0;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-test-'));
  private responseCounter = 0;

  async start(options: { certs?: number; now?: () => Date } = {}): Promise<this> {
    this.sandbox = await startSandbox({ certs: options.certs ?? 120, seed: 11, qps: 100 });
    this.slack = await new FakeSlack().start();
    this.store = openSqliteStore(this.dataDir);
    this.cas = clientFor(this.sandbox, { qps: 100, attempts: 2, timeoutMs: 1500 });
    this.logger = createLogger({ level: 'debug', destination: this.logs, secrets: [SIGNING_SECRET] });
    this.app = createSlackApp(
      {
        botToken: 'xoxb-test-bot-token-000000000000',
        signingSecret: SIGNING_SECRET,
        apiUrl: this.slack.apiUrl,
        port: 0,
        webApiRetries: 0,
      },
      {
        cas: this.cas,
        store: this.store,
        logger: this.logger,
        now: options.now ?? (() => new Date()),
        adminUserIds: [ADMIN, OTHER_ADMIN],
      },
      { digestPreview: digestPreview(this.cas, this.store, { cron: '0 9 * * 1', timezone: 'UTC' }, () => new Date()) },
    );
    const { port } = await this.app.start();
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
    const id = this.nextResponseId();
    const res = await postSigned(
      this.eventsUrl,
      buttonForm({ actionId, value, userId, responseUrl: this.slack.responseUrl(id), messageTs }),
    );
    const answer = await this.slack.waitForResponse(id);
    return { status: res.status, id, answer: answer.body as unknown as SlackAnswer };
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    await this.cas?.close();
    await this.store?.close();
    await this.slack?.stop();
    await this.sandbox?.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
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
