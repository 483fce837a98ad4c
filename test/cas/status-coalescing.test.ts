import { lookUpStatus } from '../../src/accounts/status-lookup';
import type { CasClient } from '../../src/cas';
import { buildCasClient } from '../../src/wiring/cas-client';
import { type Sandbox, startSandbox } from '../../src/sandbox';
import { configFor, dropNamespace, freshNamespace, REDIS_URL, requireRedis } from '../cluster/redis-helpers';
import { clientFor } from '../helpers/cas';

/*
 * /cert-status lookups that wait for the limiter share the call they wait for: distinct serials
 * arriving one every 50 ms (20 a second) while CAS_QPS allows a few calls a second reach the
 * simulator as a few comma-joined calls, not one call per lookup, on one replica and on three
 * sharing one Redis budget.
 */
const NAMESPACE = freshNamespace();
let sandbox: Sandbox;
let redis: Awaited<ReturnType<typeof requireRedis>>;

beforeAll(async () => {
  redis = await requireRedis();
  sandbox = await startSandbox({ certs: 300, seed: 31, qps: 1_000 });
});
afterAll(async () => {
  await sandbox?.close();
  if (redis) {
    await dropNamespace(redis, NAMESPACE);
    await redis.quit();
  }
});
beforeEach(() => sandbox.resetCalls());

const statusCalls = () =>
  sandbox.calls.filter((call) => call.action === 'DescribeClientCertificateStatusForSerialNumber');

/** One lookup per serial, each started 50 ms after the one before on the next client, as commands arrive. */
async function lookUpOneByOne(clients: readonly CasClient[], count: number) {
  const certificates = sandbox.dataset.certificates.slice(0, count);
  const answers = await Promise.all(
    certificates.map(
      (certificate, i) =>
        new Promise<string>((resolve, reject) => {
          setTimeout(() => {
            const cas = clients[i % clients.length] as CasClient;
            lookUpStatus([{ name: 'main', cas }], [certificate.serialNo]).then(
              ({ results }) => resolve(String(results[0]?.Status)),
              reject,
            );
          }, i * 50);
        }),
    ),
  );
  expect(answers).toEqual(certificates.map((c) => (c.status === 'REVOKED' ? 'revoked' : 'good')));
  // Every serial was asked for once, none left out.
  const asked = statusCalls().flatMap((call) => call.query.SerialNumber.split(','));
  expect(asked.sort()).toEqual(certificates.map((c) => c.serialNo).sort());
}

test('60 distinct serials at 20 a second with CAS_QPS 2 reach CAS in a handful of calls', async () => {
  const client = clientFor(sandbox, { qps: 2 });
  try {
    await lookUpOneByOne([client], 60);
    // 3 s of arrivals at 2 calls a second: about 7 calls, each carrying the serials that waited.
    expect(statusCalls().length).toBeLessThanOrEqual(9);
    expect(Math.max(...statusCalls().map((call) => call.query.SerialNumber.split(',').length))).toBeGreaterThan(5);
  } finally {
    await client.close();
  }
});

test('three replicas on one Redis budget of 3 a second share calls the same way', async () => {
  const config = configFor(sandbox.url, REDIS_URL, 3);
  const clients = await Promise.all(
    [0, 1, 2].map(() => buildCasClient(config, config.accounts[0], { redisNamespace: NAMESPACE })),
  );
  try {
    await lookUpOneByOne(clients, 90);
    // 4.5 s of arrivals at 3 calls a second between the three: about 14 calls, not 90.
    expect(statusCalls().length).toBeLessThanOrEqual(20);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
});

test('a call carries at most 50 serials: 120 lookups at once make three calls', async () => {
  const client = clientFor(sandbox, { qps: 2 });
  try {
    const certificates = sandbox.dataset.certificates.slice(0, 120);
    const answers = await Promise.all(certificates.map((c) => client.getCertificateStatus(c.serialNo)));
    expect(answers.map((a) => a.SerialNumber.toUpperCase())).toEqual(certificates.map((c) => c.serialNo));
    expect(statusCalls().map((call) => call.query.SerialNumber.split(',').length)).toEqual([50, 50, 20]);
  } finally {
    await client.close();
  }
});
