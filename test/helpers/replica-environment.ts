import type Redis from 'ioredis';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { dropNamespace, freshNamespace, REDIS_URL, requireRedis } from '../cluster/redis-helpers';
import { freshSchema, requirePostgres, type TestSchema } from '../store/postgres-test-db';
import { FakeSlack } from './fake-slack';

/**
 * What several replicas share in a test: one simulator, one fake Slack, one PostgreSQL schema
 * and one Redis namespace, set up before the suite and torn down after it.
 */
export function useReplicaEnvironment(data: { certs: number; seed: number }) {
  const env = {
    sandbox: undefined as unknown as Sandbox,
    slack: undefined as unknown as FakeSlack,
    db: undefined as unknown as TestSchema,
    namespace: freshNamespace(),
    redisUrl: REDIS_URL,
  };
  let redis: Redis | undefined;
  beforeAll(async () => {
    await requirePostgres();
    redis = await requireRedis();
    env.db = await freshSchema();
    env.sandbox = await startSandbox({ certs: data.certs, seed: data.seed, qps: 100 });
    env.slack = await new FakeSlack().start();
  });
  afterAll(async () => {
    await env.slack?.stop();
    await env.sandbox?.close();
    await env.db?.drop();
    if (redis) await dropNamespace(redis, env.namespace);
    redis?.disconnect();
  });
  return env;
}
