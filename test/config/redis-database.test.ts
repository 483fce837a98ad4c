import { type ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { LimiterStartupError } from '../../src/cas';
import { buildCasClient } from '../../src/wiring/cas-client';
import { startSandbox } from '../../src/sandbox';
import {
  configFor,
  dropNamespace,
  freePort,
  freshNamespace,
  kill,
  namespaceKeys,
  REDIS_URL,
  requireRedis,
} from '../cluster/redis-helpers';

/*
 * The database number of REDIS_URL, against real Redis servers: the machine's own (the test
 * fails, never skips, when it is down) and a throwaway one with only two databases.
 */
const NAMESPACE = freshNamespace();
const DATABASE = 3;

function withDatabase(url: string, database: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

let redis: Redis;
let inDatabase: Redis;

beforeAll(async () => {
  redis = await requireRedis();
  // Another client, told the database by option rather than by URL.
  const { hostname, port, password, username } = new URL(REDIS_URL);
  inDatabase = new Redis({
    host: hostname || '127.0.0.1',
    port: Number(port || 6379),
    username: username ? decodeURIComponent(username) : undefined,
    password: password ? decodeURIComponent(password) : undefined,
    db: DATABASE,
    maxRetriesPerRequest: 0,
  });
  inDatabase.on('error', () => undefined);
});
afterAll(async () => {
  await inDatabase?.quit();
  if (redis) {
    await dropNamespace(redis, NAMESPACE);
    await redis.quit();
  }
});

test('the limiter keeps its keys in the database the URL names', async () => {
  // Only this run's namespace is looked at: other runs may share the server and the database.
  const sandbox = await startSandbox({ certs: 20, seed: 3, qps: 1_000 });
  const config = configFor(sandbox.url, withDatabase(REDIS_URL, DATABASE));
  const client = await buildCasClient(config, config.accounts[0], { redisNamespace: NAMESPACE });
  try {
    await client.listCertificatePage({ pageSize: 5 }, 1);
    expect((await namespaceKeys(inDatabase, NAMESPACE)).length).toBeGreaterThan(0);
    expect(await namespaceKeys(redis, NAMESPACE)).toEqual([]);
  } finally {
    await client.close();
    await sandbox.close();
    await dropNamespace(inDatabase, NAMESPACE);
  }
});

/** A redis-server with `databases 2`, so that SELECT 5 fails. */
function startSmallRedis(port: number): Promise<ChildProcess> {
  const bin = process.env.REDIS_SERVER_BIN || '/usr/bin/redis-server';
  return new Promise((resolve, reject) => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--databases',
      '2',
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => reject(new Error(`cannot start ${bin}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${output.slice(-500)}`)));
  });
}

test('a server that refuses the database: a start-up error, not a limiter quietly in database 0', async () => {
  const port = await freePort();
  const server = await startSmallRedis(port);
  const config = configFor('http://127.0.0.1:9', `redis://127.0.0.1:${port}/5`);
  try {
    const error = await buildCasClient(config, config.accounts[0], {
      redisNamespace: NAMESPACE,
      redisConnectTimeoutMs: 2_000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LimiterStartupError);
    expect((error as Error).message).toBe(
      `Redis at 127.0.0.1:${port} (REDIS_URL) refused database 5, the number in the URL's path ` +
        '(ERR DB index is out of range); the limiter would have used database 0 instead. Use a database the server has ' +
        '(/0 to /15 with the default `databases 16`; a Redis Cluster has only /0), or raise `databases` in its configuration.',
    );
    const check = new Redis({ port, host: '127.0.0.1', db: 0, maxRetriesPerRequest: 0 });
    expect(await namespaceKeys(check, NAMESPACE)).toEqual([]);
    await check.quit();
  } finally {
    await kill(server);
  }
});
