import { lookUpStatus } from '../../src/accounts/status-lookup';
import { type CasClient, CasError } from '../../src/cas';
import { createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { OWNER_LEASE_MS, SHARED_STATUS_SPACING_MS } from '../../src/cas/shared-status-batch';
import { connectStatusBatchStore } from '../../src/cas/status-batch-store';
import { createTransport } from '../../src/cas/transport';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type Sandbox, startSandbox } from '../../src/sandbox';
import { buildCasClient } from '../../src/wiring/cas-client';
import {
  configFor,
  dropNamespace,
  freePort,
  freshNamespace,
  kill,
  REDIS_URL,
  requireRedis,
  startRedisServer,
} from '../cluster/redis-helpers';

/*
 * With REDIS_URL, replicas join each other's status batches: the simulator sees one call per
 * batch whichever replicas the lookups came to, every lookup gets its own serial's answer, a
 * failed call reaches every replica's lookups with the same error, and a batch whose owner is
 * gone, or a Redis that is, still leaves every lookup answered (by its own call).
 */
const NAMESPACE = freshNamespace();
const STATUS = 'DescribeClientCertificateStatusForSerialNumber';
let sandbox: Sandbox;
let redis: Awaited<ReturnType<typeof requireRedis>>;

beforeAll(async () => {
  redis = await requireRedis();
  sandbox = await startSandbox({ certs: 300, seed: 41, qps: 1_000 });
});
afterAll(async () => {
  await sandbox?.close();
  if (redis) {
    await dropNamespace(redis, NAMESPACE);
    await redis.quit();
  }
});
beforeEach(() => sandbox.resetCalls());

const statusCalls = () => sandbox.calls.filter((call) => call.action === STATUS);
const expected = (c: { status: string }) => (c.status === 'REVOKED' ? 'revoked' : 'good');

async function replicas(count: number, qps: number): Promise<CasClient[]> {
  const config = configFor(sandbox.url, REDIS_URL, qps);
  return Promise.all(
    Array.from({ length: count }, () => buildCasClient(config, config.accounts[0], { redisNamespace: NAMESPACE })),
  );
}

/** A replica without a shared limiter whose status batches live on `url`'s Redis. */
async function replicaOn(url: string, qps = 5): Promise<CasClient> {
  return createCasClient({
    transport: createTransport({
      endpoint: parseEndpoint(sandbox.url),
      region: 'cn-hangzhou',
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET },
      timeoutMs: 2_000,
    }),
    qps,
    maxConcurrent: 10,
    attempts: 2,
    cacheTtlSeconds: 60,
    retryBaseDelayMs: 20,
    statusBatchStore: await connectStatusBatchStore({ url, namespace: NAMESPACE }),
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('90 distinct serials at 20 a second over three replicas with budget to spare share about one call per half second', async () => {
  // At 50 a second each replica's own batches would leave within 21 ms: about one call per lookup.
  const clients = await replicas(3, 50);
  try {
    const certificates = sandbox.dataset.certificates.slice(0, 90);
    const answers = await Promise.all(
      certificates.map(async (certificate, i) => {
        await pause(i * 50);
        const cas = clients[i % clients.length] as CasClient;
        const { results } = await lookUpStatus([{ name: 'main', cas }], [certificate.serialNo]);
        return String(results[0]?.Status);
      }),
    );
    expect(answers).toEqual(certificates.map(expected));
    const asked = statusCalls().flatMap((call) => call.query.SerialNumber.split(','));
    // Every serial asked once, in one of few calls.
    expect(asked.sort()).toEqual(certificates.map((c) => c.serialNo).sort());
    expect(statusCalls().length).toBeLessThanOrEqual(Math.ceil(4_500 / SHARED_STATUS_SPACING_MS) + 3);
    // The calls are spaced as the batches are, across the replicas (less what a busy machine delays a grant by).
    const times = statusCalls().map((call) => call.at);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(SHARED_STATUS_SPACING_MS - 250);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
});

test('a lookup alone is not held for the spacing', async () => {
  const [client] = await replicas(1, 50);
  try {
    const started = performance.now();
    const status = await (client as CasClient).getCertificateStatus(sandbox.dataset.certificates[0].serialNo);
    expect(status.Status).toBe(expected(sandbox.dataset.certificates[0]));
    expect(performance.now() - started).toBeLessThan(SHARED_STATUS_SPACING_MS);
  } finally {
    await client?.close();
  }
});

test("a replica waiting on another's batch has its answer as soon as the owner has (told, not polling)", async () => {
  const [owner, joiner] = await replicas(2, 50);
  try {
    const [first, second] = sandbox.dataset.certificates;
    const answered = (cas: CasClient, serial: string) =>
      cas.getCertificateStatus(serial).then((status) => ({ status, at: performance.now() }));
    const mine = answered(owner as CasClient, first.serialNo);
    await pause(10);
    const theirs = answered(joiner as CasClient, second.serialNo);
    const [a, b] = await Promise.all([mine, theirs]);
    expect([a.status.Status, b.status.Status]).toEqual([expected(first), expected(second)]);
    expect(statusCalls()).toHaveLength(1);
    // The periodic look at the batch comes a second after joining; the message comes at once.
    expect(b.at - a.at).toBeLessThan(600);
  } finally {
    await Promise.all([owner?.close(), joiner?.close()]);
  }
});

test("a failed call reaches every replica's lookups in it with the same error", async () => {
  const clients = await replicas(3, 50);
  try {
    sandbox.failNext(1, { status: 403, code: 'Forbidden.RAM' });
    const serials = sandbox.dataset.certificates.slice(0, 3).map((c) => c.serialNo);
    const outcomes = await Promise.all(
      serials.map(async (serial, i) => {
        await pause(i * 10);
        return (clients[i] as CasClient).getCertificateStatus(serial).then(
          () => undefined,
          (error: unknown) => error,
        );
      }),
    );
    expect(statusCalls()).toHaveLength(1);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(CasError);
      expect(outcome).toMatchObject({ kind: 'auth', code: 'Forbidden.RAM' });
      expect((outcome as CasError).message).toBe((outcomes[0] as CasError).message);
      expect((outcome as CasError).hint).toBe((outcomes[0] as CasError).hint);
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
});

test('a lookup in the batch of an owner that never sends it is answered by its own call after the lease', async () => {
  const [client] = await replicas(1, 50);
  const ghost = await connectStatusBatchStore({ url: REDIS_URL, namespace: NAMESPACE });
  try {
    // A replica opens a batch and dies: its lease is never renewed, its batch never sent.
    const [first, second] = sandbox.dataset.certificates;
    await ghost.join(DEFAULT_ACCESS_KEY_ID, {
      newId: 'ghost.1',
      owner: 'ghost',
      identity: first.serialNo,
      serial: first.serialNo,
      maxBatchSize: 50,
      windowMs: 100,
      spacingMs: SHARED_STATUS_SPACING_MS,
      leaseMs: OWNER_LEASE_MS,
    });
    const started = performance.now();
    const status = await (client as CasClient).getCertificateStatus(second.serialNo);
    const waited = performance.now() - started;
    expect(status.Status).toBe(expected(second));
    expect(statusCalls().map((call) => call.query.SerialNumber)).toEqual([second.serialNo]);
    // It waited on the ghost's batch, then no longer than a check more.
    expect(waited).toBeGreaterThan(OWNER_LEASE_MS - 200);
    expect(waited).toBeLessThan(OWNER_LEASE_MS + 2_500);
  } finally {
    await ghost.close();
    await client?.close();
  }
});

test("Redis lost while a lookup waits on another replica's batch: both lookups are still answered", async () => {
  const port = await freePort();
  const server = await startRedisServer(port);
  const url = `redis://127.0.0.1:${port}`;
  const owner = await replicaOn(url);
  const joiner = await replicaOn(url);
  try {
    const [first, second] = sandbox.dataset.certificates;
    await pause(100); // both connected
    const answers = [owner.getCertificateStatus(first.serialNo)];
    await pause(10);
    answers.push(joiner.getCertificateStatus(second.serialNo));
    await pause(30);
    await kill(server);
    const statuses = await Promise.all(answers);
    expect(statuses.map((s) => s.Status)).toEqual([expected(first), expected(second)]);
    // The owner knew only its own serial when it closed the batch; the joiner asked for its own.
    expect(
      statusCalls()
        .map((call) => call.query.SerialNumber)
        .sort(),
    ).toEqual([first.serialNo, second.serialNo].sort());

    // Redis still away: lookups batch per replica, as without REDIS_URL.
    sandbox.resetCalls();
    const more = sandbox.dataset.certificates.slice(2, 8);
    const later = await Promise.all(more.map((c) => owner.getCertificateStatus(c.serialNo)));
    expect(later.map((s) => s.Status)).toEqual(more.map(expected));
    expect(statusCalls()).toHaveLength(1);
  } finally {
    await owner.close();
    await joiner.close();
    await kill(server);
  }
});
