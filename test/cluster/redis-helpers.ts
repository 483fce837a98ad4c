import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig } from '../../src/config';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from '../../src/sandbox';

/** The development machines' local Redis unless told otherwise. */
export const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const REDIS_SERVER = process.env.REDIS_SERVER_BIN || '/usr/bin/redis-server';

/** Limiter keys of this test file's run only, so parallel runs (and a bot on the same Redis) never share a budget. */
export function freshNamespace(): string {
  return `cas-cert-bot:test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function address(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
}

/** Fails (never skips): a suite that skipped without Redis would pass where clustering was never exercised. */
export async function requireRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Redis at ${address(REDIS_URL)} is unreachable (${reason}). These tests need a real server: start the local ` +
        'one (`service redis-server start`, or `redis-server --daemonize yes`), or set TEST_REDIS_URL to another server.',
    );
  }
}

export async function namespaceKeys(redis: Redis, namespace: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `b_${namespace}-*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Deletes the namespace's limiter keys and its replicas' shared status batches (which expire within a minute anyway). */
export async function dropNamespace(redis: Redis, namespace: string): Promise<void> {
  const keys = [...(await namespaceKeys(redis, namespace)), ...(await redis.keys(`${namespace}:status:*`))];
  if (keys.length > 0) await redis.del(...keys);
}

export function configFor(endpoint: string, redisUrl: string, qps = 50) {
  return loadConfig({
    CAS_ENDPOINT: endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    CAS_QPS: String(qps),
    CAS_TIMEOUT_MS: '2000',
    REDIS_URL: redisUrl,
  });
}

export { freePort } from '../helpers/free-port';

/** A throwaway redis-server, so that the machine's shared one is never stopped. */
export function startRedisServer(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => reject(new Error(`cannot start ${REDIS_SERVER}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${output.slice(-500)}`)));
  });
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
