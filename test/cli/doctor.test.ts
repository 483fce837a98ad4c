import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import YAML from 'yaml';
import { MANIFEST_BOT_SCOPES } from '../../src/cli/doctor/bot-scopes';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type SandboxProcess, spawnSandbox } from '../../src/sandbox';
import { FakeSlack } from '../helpers/fake-slack';
import { openPostgresStore } from '../../src/store/postgres-store';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { freshSchema, POSTGRES_URL } from '../store/postgres-test-db';
import { freePort } from '../helpers/free-port';
import { type CliResult, runCli } from '../helpers/run-cli';

/*
 * `cert-bot doctor`, the built CLI against real dependencies: the simulator (two accounts), the
 * fake Slack, a SQLite folder and the machine's Redis. All green first, then each one broken in turn.
 */

const STAGING_KEY_ID = 'LTAI5tSandboxKeyId000002';
const STAGING_SECRET = 'sandbox-secret-2-do-not-use-in-production';
const BOT_TOKEN = 'xoxb-doctor-test-token-0123456789';
const REDIS_PASSWORD = 'doctor-redis-password-42';
const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const PG_PASSWORD = 'doctor-pg-password-77';
const SECRETS = [DEFAULT_ACCESS_KEY_SECRET, STAGING_SECRET, BOT_TOKEN, REDIS_PASSWORD, PG_PASSWORD];

let sandbox: SandboxProcess;
let slack: FakeSlack;
let dir: string;
let env: Record<string, string>;

function withDatabase(url: string, database: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

beforeAll(async () => {
  [sandbox, slack] = await Promise.all([
    spawnSandbox({ certs: 20, seed: 11, qps: 100, accounts: ['prod', 'staging'] }),
    new FakeSlack().start(),
  ]);
  slack.grantedScopes = [...MANIFEST_BOT_SCOPES, 'users:read'];
  slack.setChannel('C0DIGEST', { name: 'certs', is_member: true });
  slack.setChannel('C0STAGING', { name: 'certs-staging', is_member: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-bot-doctor-'));
  const accounts = path.join(dir, 'accounts.yaml');
  fs.writeFileSync(
    accounts,
    [
      '- name: prod',
      `  site: ${sandbox.url}`,
      '  accessKeyId: PROD_KEY_ID',
      '  accessKeySecret: PROD_KEY_SECRET',
      '- name: staging',
      `  site: ${sandbox.url}`,
      '  accessKeyId: STAGING_KEY_ID',
      '  accessKeySecret: STAGING_KEY_SECRET',
      '  digestChannels: [C0STAGING]',
    ].join('\n'),
  );
  env = {
    CAS_ACCOUNTS_FILE: accounts,
    PROD_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    PROD_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    STAGING_KEY_ID,
    STAGING_KEY_SECRET: STAGING_SECRET,
    DATA_DIR: path.join(dir, 'data'),
    REDIS_URL: withDatabase(REDIS_URL, 2),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    DIGEST_CHANNEL: 'C0DIGEST',
  };
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), slack?.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function pgQuery<T>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function lines(result: CliResult): string[] {
  return result.stdout.trimEnd().split('\n');
}

function expectNoSecret(result: CliResult): void {
  for (const secret of SECRETS) expect(result.stdout + result.stderr).not.toContain(secret);
}

/** The lines that are not ✔ (nor the one skipped write). */
function problems(result: CliResult): string[] {
  return lines(result).filter((line) => !line.startsWith('✔ ') && !line.includes('AssignCertificateCount'));
}

test('manifest.yml and the scopes doctor expects agree', () => {
  const manifest = YAML.parse(fs.readFileSync(path.resolve(__dirname, '../../manifest.yml'), 'utf8')) as {
    oauth_config: { scopes: { bot: string[] } };
  };
  expect([...MANIFEST_BOT_SCOPES]).toEqual(manifest.oauth_config.scopes.bot);
});

test('all green: every check passes, in order, exit 0; nothing is posted and no write is made', async () => {
  const result = await runCli(['doctor'], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const out = lines(result);
  expect(problems(result)).toEqual([]);
  const redis = new URL(REDIS_URL);
  expect(out).toEqual([
    '✔ configuration: valid (2 accounts: prod, staging; store SQLite)',
    `✔ store: SQLite at ${path.join(dir, 'data', 'cert-bot.sqlite')}: the store has no tables yet, it will be created at first start`,
    `✔ Redis: ${redis.hostname}:${redis.port || 6379} answers PING, database 2 selected`,
    ...['prod', 'staging'].flatMap((account) => [
      `✔ CAS ${account}: endpoint ${sandbox.url}/ reachable`,
      `✔ CAS ${account}: credentials accepted: keys (env ${account.toUpperCase()}_KEY_ID)`,
      `✔ CAS ${account}: GetRiskCount allowed`,
      `✔ CAS ${account}: GetAssetCount allowed`,
      `✔ CAS ${account}: ListUserCertificateOrder allowed`,
      `✔ CAS ${account}: ListCloudResources allowed`,
      `✔ CAS ${account}: DescribeClientCertificateStatusForSerialNumber allowed`,
      `– CAS ${account}: AssignCertificateCount not checked (a write); /cert-assign needs yundun-cert:AssignCertificateCount`,
    ]),
    expect.stringMatching(
      /^✔ clock: local time is within 1 s of CAS at http:\/\/127\.0\.0\.1:\d+\/; CAS allows 15 min$/,
    ),
    '✔ Slack: token valid: bot @certbot in Example',
    `✔ Slack scopes: all ${MANIFEST_BOT_SCOPES.length} of manifest.yml's bot scopes granted`,
    '✔ channel C0DIGEST: #certs (DIGEST_CHANNEL, alerts), the bot is a member',
    '✔ channel C0STAGING: #certs-staging (account staging digestChannels, account staging alertChannel), the bot is a member',
  ]);
  expectNoSecret(result);
  const calls = await sandbox.calls();
  expect(calls.map((c) => c.action)).not.toContain('AssignCertificateCount');
  expect(slack.calls.map((c) => c.name).filter((name) => !/^(auth\.test|conversations\.info)$/.test(name))).toEqual([]);
  expect(slack.apiCalls('conversations.info').map((c) => c.body.channel)).toEqual(['C0DIGEST', 'C0STAGING']);
  // It only reads: the fresh DATA_DIR is left as it was, not even created.
  expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);

  const json = await runCli(['doctor', '--json'], env);
  expect(json.code).toBe(0);
  const checks = JSON.parse(json.stdout) as Array<{ check: string; ok: boolean; detail: string; fix: unknown }>;
  expect(checks).toHaveLength(out.length);
  expect(checks.every((c) => c.ok && c.fix === null)).toBe(true);
  expect(checks[0]).toEqual({
    check: 'configuration',
    ok: true,
    detail: 'valid (2 accounts: prod, staging; store SQLite)',
    fix: null,
  });
});

test('an invalid configuration: every problem as its own ✖ line naming the variable, nothing else, exit 2', async () => {
  const result = await runCli(['doctor'], { ...env, CAS_QPS: 'fast', DIGEST_TIMEZONE: 'Mars/Olympus' });
  expect(result.code).toBe(2);
  expect(lines(result)).toEqual([
    expect.stringMatching(
      /^✖ CAS_QPS: "fast" is not a whole number; .* — correct CAS_QPS in the environment \(or \.env\)$/,
    ),
    expect.stringMatching(/^✖ DIGEST_TIMEZONE: must be an IANA time zone .* — correct DIGEST_TIMEZONE/),
  ]);
  expectNoSecret(result);

  const json = await runCli(['doctor', '--json'], { ...env, CAS_QPS: 'fast' });
  expect(json.code).toBe(2);
  expect(JSON.parse(json.stdout)).toEqual([
    expect.objectContaining({ check: 'CAS_QPS', ok: false, fix: 'correct CAS_QPS in the environment (or .env)' }),
  ]);
});

test('a DATA_DIR that cannot be written: the store fails, naming DATA_DIR; the other checks still run', async () => {
  const file = path.join(dir, 'not-a-folder');
  fs.writeFileSync(file, '');
  const result = await runCli(['doctor'], { ...env, DATA_DIR: path.join(file, 'data') });
  expect(result.code).toBe(1);
  expect(problems(result)).toEqual([
    expect.stringMatching(
      new RegExp(
        `^✖ store: SQLite at ${path.join(file, 'data', 'cert-bot.sqlite')} cannot be opened: ENOTDIR.* — make DATA_DIR \\(${path.join(file, 'data')}\\) a folder the bot's user can write`,
      ),
    ),
  ]);
  expect(lines(result).some((line) => line.startsWith('✔ Slack: token valid'))).toBe(true);
});

test('SQLite: doctor reports the store the bot made without changing it, and one newer than the bot as a failure', async () => {
  const dataDir = path.join(dir, 'sqlite-existing');
  const store = openSqliteStore(dataDir);
  await store.close();
  const file = path.join(dataDir, 'cert-bot.sqlite');
  const before = fs.readFileSync(file);
  const result = await runCli(['doctor'], { ...env, DATA_DIR: dataDir });
  expect(lines(result)[1]).toMatch(/^✔ store: SQLite at .* opens, schema up to date \(version \d+\)$/);
  expect(fs.readFileSync(file).equals(before)).toBe(true);

  // A file a newer bot wrote (a higher schema version): the bot would refuse it, doctor says so.
  const version = Number(/version (\d+)/.exec(lines(result)[1])?.[1]);
  const db = new Database(file);
  db.pragma(`user_version = ${version + 1}`);
  db.close();
  const newer = await runCli(['doctor'], { ...env, DATA_DIR: dataDir });
  expect(newer.code).toBe(1);
  expect(problems(newer)).toEqual([
    `✖ store: SQLite at ${file} has schema version ${version + 1}, newer than this bot (${version}) — run the newer bot version, or point DATA_DIR at another store`,
  ]);
});

test('PostgreSQL at DATABASE_URL: named by host, database, user and schema, never the password', async () => {
  const schema = await freshSchema();
  try {
    const url = new URL(schema.url);
    url.password = PG_PASSWORD; // the local server trusts the user; the password only has to stay unprinted
    const result = await runCli(['doctor'], { ...env, DATABASE_URL: url.toString() });
    expect(result.code).toBe(0);
    expect(lines(result).slice(0, 2)).toEqual([
      '✔ configuration: valid (2 accounts: prod, staging; store PostgreSQL)',
      `✔ store: PostgreSQL at ${url.hostname}:${url.port || 5432} (database ${url.pathname.slice(1)}, user ${url.username}, schema ${schema.schema}): the store has no tables yet, it will be created at first start`,
    ]);
    // Nothing was created: not the schema, not a table.
    const created = await pgQuery<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [
      schema.schema,
    ]);
    expect(created).toEqual([{ n: 0 }]);

    // Once the bot has started on it, doctor finds it up to date.
    const store = await openPostgresStore(schema.url);
    await store.close();
    const opened = await runCli(['doctor'], { ...env, DATABASE_URL: url.toString() });
    expect(lines(opened)[1]).toMatch(/^✔ store: PostgreSQL at .* opens, schema up to date \(version \d+\)$/);
    expectNoSecret(result);

    url.port = '1';
    const down = await runCli(['doctor'], { ...env, DATABASE_URL: url.toString() });
    expect(down.code).toBe(1);
    expect(problems(down)).toEqual([
      expect.stringMatching(
        /^✖ store: PostgreSQL at 127\.0\.0\.1:1 .* cannot be opened: .*ECONNREFUSED.* — check that PostgreSQL is running/,
      ),
    ]);
    expectNoSecret(down);
  } finally {
    await schema.drop();
  }
});

test('Redis unreachable: ✖ naming host:port, never the password', async () => {
  const result = await runCli(['doctor'], { ...env, REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:1/0` });
  expect(result.code).toBe(1);
  expect(problems(result)).toEqual([
    expect.stringMatching(/^✖ Redis: 127\.0\.0\.1:1 is unreachable \(.*ECONNREFUSED.*\) — start Redis .* REDIS_URL/),
  ]);
  // CAS is checked on its own, not through the shared limiter.
  expect(lines(result)).toContain('✔ CAS prod: GetRiskCount allowed');
  expectNoSecret(result);
});

test("Redis that cannot select the URL's database: ✖ with the database number", async () => {
  const port = await freePort();
  const server: ChildProcess = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--databases', '2'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
    const result = await runCli(['doctor'], { ...env, REDIS_URL: `redis://127.0.0.1:${port}/5` });
    expect(result.code).toBe(1);
    expect(problems(result)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^✖ Redis: 127\\.0\\.0\\.1:${port} answers PING but did not select database 5 of REDIS_URL .*; the connection is in database 0 — use a database the server has`,
        ),
      ),
    ]);
  } finally {
    await new Promise<void>((resolve) => {
      if (server.exitCode !== null) return resolve();
      server.once('exit', () => resolve());
      server.kill('SIGKILL');
    });
  }
});

test("a wrong CAS secret: that account's credentials are refused, naming its key variable, no secret", async () => {
  const result = await runCli(['doctor'], { ...env, STAGING_KEY_SECRET: 'wrong-secret-value-0000' });
  expect(result.code).toBe(1);
  expect(problems(result)).toEqual([
    expect.stringMatching(
      /^✖ CAS staging: credentials refused \(SignatureDoesNotMatch, RequestId \S+; keys \(env STAGING_KEY_ID\)\) — check STAGING_KEY_SECRET: it does not match the key id$/,
    ),
    '– CAS staging: permissions not checked (the credentials could not be confirmed)',
  ]);
  expect(lines(result)).toContain('✔ CAS prod: ListCloudResources allowed');
  expect(result.stdout + result.stderr).not.toContain('wrong-secret-value-0000');
  expectNoSecret(result);

  // The environment's one account names the ALIBABA_CLOUD_ variables.
  const single = await runCli(['doctor'], {
    CAS_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-value-0001',
    DATA_DIR: path.join(dir, 'data'),
  });
  expect(single.code).toBe(1);
  expect(single.stdout).toMatch(
    /^✖ CAS default: credentials refused \(SignatureDoesNotMatch.* — check ALIBABA_CLOUD_ACCESS_KEY_SECRET: /m,
  );
  expect(single.stdout).toContain('– Slack: not checked (SLACK_BOT_TOKEN unset)');
  expect(single.stdout + single.stderr).not.toContain('wrong-secret-value-0001');
});

test('ListCloudResources denied: ✖ with the RAM action to grant, for that account only', async () => {
  const prod = sandbox.forAccount('prod');
  await prod.setFaults({ denyActions: ['ListCloudResources'] });
  try {
    const result = await runCli(['doctor'], env);
    expect(result.code).toBe(1);
    expect(problems(result)).toEqual(['✖ CAS prod: ListCloudResources denied — grant yundun-cert:ListCloudResources']);
    expect(lines(result)).toContain('✔ CAS staging: ListCloudResources allowed');

    const json = await runCli(['doctor', '--json'], env);
    expect((JSON.parse(json.stdout) as unknown[]).filter((c) => !(c as { ok: boolean }).ok)).toEqual([
      {
        check: 'CAS prod',
        ok: false,
        detail: 'ListCloudResources denied',
        fix: 'grant yundun-cert:ListCloudResources',
      },
    ]);
  } finally {
    await prod.setFaults({ denyActions: [] });
  }
});

test('Slack refuses the token: ✖ invalid_auth with what to set; the channels are not checked', async () => {
  slack.script('auth.test', { status: 200, body: { ok: false, error: 'invalid_auth' } });
  const result = await runCli(['doctor'], env);
  expect(result.code).toBe(1);
  expect(problems(result)).toEqual([
    "✖ Slack: token refused (invalid_auth) — set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (OAuth & Permissions, xoxb-…); reinstall the app if it was revoked",
    '– channels: not checked (the Slack token could not be confirmed)',
  ]);
  expectNoSecret(result);
});

test('a scope of the manifest not granted: ✖ listing it, with reinstalling as the fix', async () => {
  slack.grantedScopes = MANIFEST_BOT_SCOPES.filter((scope) => scope !== 'files:write' && scope !== 'groups:history');
  try {
    const result = await runCli(['doctor'], env);
    expect(result.code).toBe(1);
    expect(problems(result)).toEqual([
      "✖ Slack scopes: missing groups:history, files:write (of manifest.yml's bot scopes) — add them in the app's OAuth settings and reinstall",
    ]);
  } finally {
    slack.grantedScopes = [...MANIFEST_BOT_SCOPES, 'users:read'];
  }
});

test('digest channels the bot is not in, that do not exist or are archived: one ✖ each', async () => {
  slack.setChannel('C0NOTIN', { name: 'secops', is_member: false });
  slack.setChannel('C0GONE', { error: 'channel_not_found' });
  slack.setChannel('C0OLD', { name: 'old-certs', is_member: true, is_archived: true });
  const result = await runCli(['doctor'], { ...env, DIGEST_CHANNEL: 'C0NOTIN,C0GONE,C0OLD' });
  expect(result.code).toBe(1);
  expect(problems(result)).toEqual([
    '✖ channel C0NOTIN: the bot is not in #secops (DIGEST_CHANNEL, alerts) — invite the bot (/invite @certbot)',
    '✖ channel C0GONE: not found (DIGEST_CHANNEL): no such channel, or a private one the bot is not in — check the ID (channel details → About, at the bottom); for a private channel invite the bot (/invite @certbot) first',
    '✖ channel C0OLD: #old-certs is archived (DIGEST_CHANNEL) — unarchive it, or name another channel there',
  ]);
  expect(slack.apiCalls('chat.postMessage')).toHaveLength(0);
});

test('without channels:read, membership is read with conversations.history', async () => {
  const missing = { status: 200, body: { ok: false, error: 'missing_scope', needed: 'channels:read' } };
  slack.script('conversations.info', missing, missing);
  slack.script('conversations.history', { status: 200, body: { ok: false, error: 'not_in_channel' } });
  const result = await runCli(['doctor'], env);
  expect(result.code).toBe(1);
  expect(problems(result)).toEqual([
    '✖ channel C0DIGEST: the bot is not in C0DIGEST (DIGEST_CHANNEL, alerts) — invite the bot (/invite @certbot)',
  ]);
  expect(lines(result)).toContain(
    '✔ channel C0STAGING: the bot is in it (account staging digestChannels, account staging alertChannel); read with conversations.history, as conversations.info needs channels:read',
  );
});
