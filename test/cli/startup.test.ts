import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/ops/logger';
import { BOT_TOKEN } from '../helpers/bot-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { freePort } from '../helpers/free-port';
import { CLI, type CliResult, runCli } from '../helpers/run-cli';
import { commandForm, postSigned, SIGNING_SECRET } from '../helpers/slack-requests';

/**
 * `cert-bot serve` as an operator starts it, with one thing wrong at a time: it exits within
 * 15 s with one plain line on stderr that names the variable to fix (and its value when it is
 * not a secret), no stack trace and no secret; every other line is a JSON log line.
 */

const CAS_SECRET = 'cas-access-key-secret-7f3e9a';
const WRONG_SIGNING_SECRET = 'not-the-signing-secret-5b7c9d';
let slack: FakeSlack;
let dataDir: string;

beforeAll(async () => {
  slack = await new FakeSlack().start();
});
afterAll(async () => {
  await slack.stop();
});
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-startup-'));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function env(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tStartupTestKey',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: CAS_SECRET,
    // Never called at start-up.
    CAS_ENDPOINT: 'http://127.0.0.1:9',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATA_DIR: dataDir,
    INVENTORY_SYNC_MINUTES: '0',
    // No credentials file or CLI profile of the machine's user.
    HOME: dataDir,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

const SECRETS = [BOT_TOKEN, SIGNING_SECRET, CAS_SECRET, 'pg-secret-pass', 'redis-secret-pw'];

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

/** Runs `serve` to its exit; returns the result, its one plain stderr line and how long it took. */
async function failedServe(extra: Record<string, string | undefined>): Promise<CliResult & { line: string }> {
  const started = Date.now();
  const result = await runCli(['serve'], env(extra), 20_000);
  const elapsed = Date.now() - started;
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  const plain = lines.filter((l) => !isJson(l));
  expect(elapsed).toBeLessThan(15_000);
  expect(plain).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain('cert-bot is serving');
  for (const secret of SECRETS) expect(result.stderr).not.toContain(secret);
  return { ...result, line: plain[0] };
}

/** A `serve` that keeps running: its stderr lines as they come, and a way to stop it. */
class Serving {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private buffer = '';

  constructor(vars: Record<string, string>) {
    this.child = spawn(process.execPath, [CLI, 'serve'], {
      env: { PATH: process.env.PATH ?? '', ...vars },
      cwd: path.dirname(CLI),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      this.lines.push(...parts.filter((l) => l.trim() !== ''));
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async waitFor(test: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.lines.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no such line in time; stderr so far:\n${this.lines.join('\n')}`);
  }

  /** The JSON log lines, parsed. */
  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

describe('a Slack token Slack refuses', () => {
  test.each(['invalid_auth', 'token_revoked'])('%s: one line naming SLACK_BOT_TOKEN, exit 2', async (answer) => {
    slack.script('auth.test', { status: 200, body: { ok: false, error: answer } });
    const result = await failedServe({});
    expect(result.code).toBe(2);
    expect(result.line).toMatch(new RegExp(`^SLACK_BOT_TOKEN: Slack refused the token \\(${answer}\\): `));
    expect(result.line).toContain('Bot User OAuth Token');
  });
});

describe('Slack unreachable', () => {
  test('nothing listening: one line naming the URL and SLACK_API_URL, exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}/api/`;
    const result = await failedServe({ SLACK_API_URL: url });
    expect(result.code).toBe(1);
    expect(result.line).toBe(
      `SLACK_API_URL: cannot reach Slack at ${url} (connection refused); check SLACK_API_URL (the Web API base URL, ending in /api/) and that the bot can reach it`,
    );
    // The Web API client's own warning is a JSON line too, naming the URL.
    expect(result.stderr).not.toContain('[WARN]');
    const warning = result.stderr
      .split('\n')
      .filter(isJson)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.module === 'slack-web-api');
    expect(warning).toMatchObject({ level: 40, slackApiUrl: url });
  });

  test('a port fetch refuses (http://127.0.0.1:1/api/): the same line, with why', async () => {
    const result = await failedServe({ SLACK_API_URL: 'http://127.0.0.1:1/api/' });
    expect(result.code).toBe(1);
    expect(result.line).toMatch(/^SLACK_API_URL: cannot reach Slack at http:\/\/127\.0\.0\.1:1\/api\/ \(.+\); check /);
  });
});

test('PORT in use: one line naming PORT and its value, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    const result = await failedServe({ PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.line).toBe(`PORT: ${port} is already in use by another process; stop it or set PORT to a free port`);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

describe('the store and the shared limiter', () => {
  test('DATA_DIR that cannot be created: one line naming DATA_DIR and the path, exit 1', async () => {
    const file = path.join(dataDir, 'a-file');
    fs.writeFileSync(file, '');
    const result = await failedServe({ DATA_DIR: path.join(file, 'store') });
    expect(result.code).toBe(1);
    expect(result.line).toMatch(/^DATA_DIR: Cannot open the store at /);
    expect(result.line).toContain(path.join(file, 'store'));
  });

  test('DATABASE_URL unreachable: one line naming it and host:port, without the password, exit 1', async () => {
    const port = await freePort();
    const result = await failedServe({ DATABASE_URL: `postgres://certbot:pg-secret-pass@127.0.0.1:${port}/certbot` });
    expect(result.code).toBe(1);
    expect(result.line).toMatch(new RegExp(`^DATABASE_URL: Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port} `));
  });

  test('REDIS_URL unreachable: one line naming it and host:port, without the password, exit 1', async () => {
    const port = await freePort();
    const result = await failedServe({ REDIS_URL: `redis://:redis-secret-pw@127.0.0.1:${port}/0` });
    expect(result.code).toBe(1);
    expect(result.line).toMatch(
      new RegExp(`^REDIS_URL: Redis at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) is unreachable`),
    );
  });
});

test('no CAS credentials anywhere: a warning, and the bot serves', async () => {
  const bot = new Serving(
    env({
      ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
      // No metadata service to wait for on a machine that is not an ECS instance.
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    }),
  );
  try {
    await bot.waitFor((l) => l.includes('cert-bot is serving'));
  } finally {
    expect(await bot.stop()).toBe(0);
  }
  const warning = bot.json().find((l) => String(l.msg).startsWith('CAS credentials'));
  expect(warning).toMatchObject({
    level: 40,
    msg: 'CAS credentials: none found (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET unset, no credentials file, no OIDC or ECS role); the bot serves but every CAS call will fail until they are set',
  });
});

test('a wrongly signed request: 401 and one warning that names SLACK_SIGNING_SECRET', async () => {
  const bot = new Serving(env());
  try {
    const serving = JSON.parse(await bot.waitFor((l) => l.includes('cert-bot is serving'))) as { port: number };
    const response = await postSigned(
      `http://127.0.0.1:${serving.port}/slack/events`,
      commandForm({ command: '/cert-risk', text: '', user_id: 'U1', response_url: slack.responseUrl('r-sig') }),
      { secret: WRONG_SIGNING_SECRET },
    );
    expect(response.status).toBe(401);
    await bot.waitFor((l) => l.includes('SLACK_SIGNING_SECRET'));
  } finally {
    expect(await bot.stop()).toBe(0);
  }
  const warnings = bot.json().filter((l) => String(l.msg).includes('SLACK_SIGNING_SECRET'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ level: 40, module: 'bolt' });
  expect(warnings[0].msg).toMatch(/^Slack request rejected: its signature does not match SLACK_SIGNING_SECRET/);
  const all = bot.lines.join('\n');
  expect(all).not.toContain(SIGNING_SECRET);
  expect(all).not.toContain(WRONG_SIGNING_SECRET);
});

describe('LOG_FORMAT', () => {
  test('pretty (any case): readable lines, no JSON, secrets still scrubbed', async () => {
    const bot = new Serving(env({ LOG_FORMAT: 'Pretty', LOG_LEVEL: 'debug' }));
    try {
      await bot.waitFor((l) => l.includes('cert-bot is serving'));
    } finally {
      expect(await bot.stop()).toBe(0);
    }
    expect(bot.lines.length).toBeGreaterThan(3);
    expect(bot.lines.filter(isJson)).toEqual([]);
    expect(bot.lines.find((l) => l.includes('cert-bot is serving'))).toMatch(/INFO.*cert-bot is serving/);
    for (const secret of SECRETS) expect(bot.lines.join('\n')).not.toContain(secret);
  });

  test('json is the default: every line of a serving bot is JSON', async () => {
    const bot = new Serving(env({ LOG_LEVEL: 'debug' }));
    try {
      await bot.waitFor((l) => l.includes('cert-bot is serving'));
    } finally {
      expect(await bot.stop()).toBe(0);
    }
    expect(bot.lines.filter((l) => !isJson(l))).toEqual([]);
    // Bolt's lines and the Web API client's come through the same logger.
    const modules = bot.json().map((l) => l.module);
    expect(modules).toEqual(expect.arrayContaining(['bolt', 'slack-web-api']));
  });

  test('pretty keeps the redaction by path and the scrubbing of secret values', () => {
    let output = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ format: 'pretty', destination, secrets: ['xoxb-very-secret-token'] });
    logger.info({ config: { SLACK_BOT_TOKEN: 'xoxb-path-redacted' } }, 'got xoxb-very-secret-token from somewhere');
    expect(output).toContain('INFO');
    expect(output).toContain('got [redacted] from somewhere');
    expect(output).not.toContain('xoxb-very-secret-token');
    expect(output).not.toContain('xoxb-path-redacted');
    expect(isJson(output.trim())).toBe(false);
  });
});
