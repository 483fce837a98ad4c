import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchCertificates } from '../../src/cas/certificate-views';
import { createCasClient } from '../../src/cas/client';
import { parseEndpoint } from '../../src/cas/endpoint';
import { CasError } from '../../src/cas/errors';
import { createTransport } from '../../src/cas/transport';
import { assetCounts, DEFAULT_ACCESS_KEY_SECRET, riskCounts, type Sandbox, startSandbox } from '../../src/sandbox';
import { clientFor } from '../helpers/cas';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ certs: 300, seed: 7, qps: 50 });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.resetCalls();
  sandbox.setFaults({ latencyMs: 0, unavailableRate: 0, timeoutRate: 0, malformedRate: 0, throttleRate: 0 });
});

async function failure(promise: Promise<unknown>): Promise<CasError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CasError) return error;
    throw new Error(`expected a CasError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

describe('the five operations through the real openapi-client', () => {
  test('GetRiskCount and GetAssetCount return the simulator numbers', async () => {
    const client = clientFor(sandbox);
    const risk = await client.getRiskCount();
    const assets = await client.getAssetCount();
    const expectedRisk = riskCounts(sandbox.dataset);
    expect(risk.BuyCertificateExpireCount).toBe(expectedRisk.BuyCertificateExpireCount);
    expect(risk.UploadCertificateWillExpiredCount).toBe(expectedRisk.UploadCertificateWillExpiredCount);
    expect(risk.DomainAssetNotMonitorCount).toBe(expectedRisk.DomainAssetNotMonitorCount);
    expect(assets.Point).toBe(assetCounts(sandbox.dataset).Point);
    expect(risk.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(sandbox.calls.map((c) => `${c.action}@${c.version}`)).toEqual([
      'GetRiskCount@2020-04-07',
      'GetAssetCount@2020-04-07',
    ]);
    await client.close();
  });

  test('ListUserCertificateOrder pages and filters; the iterator returns every certificate', async () => {
    const client = clientFor(sandbox, { pageSize: 20 });
    const page = await client.listCertificatePage({ orderType: 'CERT', status: 'EXPIRED', pageSize: 20 }, 1);
    const expired = sandbox.dataset.certificates.filter((c) => c.status === 'EXPIRED');
    expect(page.TotalCount).toBe(expired.length);
    expect(page.CertificateOrderList.every((c) => c.Expired === true)).toBe(true);

    sandbox.resetCalls();
    const all: unknown[] = [];
    for await (const cert of client.listCertificates({ orderType: 'CERT', pageSize: 20 })) all.push(cert);
    const valid = sandbox.dataset.certificates.filter((c) => c.status === 'ISSUED' || c.status === 'WILLEXPIRED');
    expect(all).toHaveLength(valid.length);
    expect(sandbox.calls).toHaveLength(Math.ceil(valid.length / 20));
    expect(sandbox.calls.every((c) => c.query.ShowSize === '20' && c.query.OrderType === 'CERT')).toBe(true);
    await client.close();
  });

  test('Keyword with spaces and reserved characters is signed and matched', async () => {
    const client = clientFor(sandbox);
    const target = sandbox.dataset.certificates.find((c) => c.status === 'ISSUED');
    const keyword = target?.commonName.slice(0, 8) ?? '';
    const page = await client.listCertificatePage({ orderType: 'CERT', keyword }, 1);
    expect(page.TotalCount).toBeGreaterThan(0);
    const odd = await client.listCertificatePage({ orderType: 'CERT', keyword: "a b*(x)!'~é" }, 1);
    expect(odd.TotalCount).toBe(0);
    await client.close();
  });

  test('status lookups: good, revoked with its time, unknown', async () => {
    const client = clientFor(sandbox);
    const revoked = sandbox.dataset.certificates.find((c) => c.status === 'REVOKED');
    const good = sandbox.dataset.certificates.find((c) => c.status === 'ISSUED');
    if (!revoked || !good) throw new Error('data set lacks a revoked or issued certificate');
    const [a, b, c] = await Promise.all([
      client.getCertificateStatus(good.serialNo.toLowerCase()),
      client.getCertificateStatus(revoked.serialNo),
      client.getCertificateStatus('ABCDEF0123456789'),
    ]);
    expect(a.Status).toBe('good');
    expect(b.Status).toBe('revoked');
    expect(b.RevokeTime).toBe(revoked.revokeTime);
    expect(c.Status).toBe('unknown');
    expect(sandbox.calls).toHaveLength(1);
    expect(sandbox.calls[0].version).toBe('2020-06-30');
    await client.close();
  });

  test('AssignCertificateCount performs the write and answers its counts', async () => {
    const client = clientFor(sandbox);
    const result = await client.assignCertificateCount({ id: '33285', certTotalCount: 5 });
    expect(result.CertCount).toBe(5);
    expect(typeof result.CurrentYearFreeCertCount).toBe('number');
    expect(sandbox.calls[0]).toMatchObject({ action: 'AssignCertificateCount', version: '2020-06-30' });
    expect(sandbox.calls[0].query).toMatchObject({ Id: '33285', CertTotalCount: '5' });
    await client.close();
  });

  test('an ID beyond 2^53 reaches CAS digit for digit and never the data source it would round to', async () => {
    // 9007199254740993 (2^53 + 1) is not a double: as a number it would become 9007199254740992.
    const rounded = { id: 9007199254740992, name: 'the-rounded-neighbour', assignedCertCount: 3 };
    sandbox.dataset.dataSources.push(rounded);
    const client = clientFor(sandbox);
    try {
      const error = await failure(client.assignCertificateCount({ id: '9007199254740993', certTotalCount: 7 }));
      expect(error).toMatchObject({ kind: 'not_found', code: 'NotFound' });
      expect(sandbox.calls).toHaveLength(1);
      expect(sandbox.calls[0].query).toMatchObject({ Id: '9007199254740993', CertTotalCount: '7' });
      expect(rounded.assignedCertCount).toBe(3);
    } finally {
      sandbox.dataset.dataSources.splice(sandbox.dataset.dataSources.indexOf(rounded), 1);
      await client.close();
    }
  });
});

describe('errors become one taxonomy', () => {
  test('a wrong secret is an auth error naming the secret to check, without the secret', async () => {
    const client = clientFor(sandbox, { accessKeySecret: 'wrong-secret-value-123' });
    const error = await failure(client.getRiskCount());
    expect(error).toMatchObject({ kind: 'auth', code: 'SignatureDoesNotMatch', retryable: false });
    expect(error.hint).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(JSON.stringify(error.toJSON()) + error.message).not.toContain('wrong-secret-value-123');
    expect(sandbox.calls).toHaveLength(1);
    await client.close();
  });

  test('an unknown key is an auth error', async () => {
    const client = clientFor(sandbox, { accessKeyId: 'LTAI5tNoSuchKey00000001' });
    const error = await failure(client.getAssetCount());
    expect(error).toMatchObject({ kind: 'auth', code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
    await client.close();
  });

  test('a RAM denial names the action to grant', async () => {
    const client = clientFor(sandbox);
    sandbox.failNext(1, {
      status: 403,
      code: 'Forbidden.RAM',
      message: 'User not authorized to operate on the specified resource.',
      accessDeniedDetail: { AuthAction: 'yundun-cert:ListUserCertificateOrder', NoPermissionType: 'ImplicitDeny' },
    });
    const error = await failure(client.listCertificatePage({}, 1));
    expect(error).toMatchObject({ kind: 'auth', ramAction: 'yundun-cert:ListUserCertificateOrder' });
    expect(error.hint).toContain('yundun-cert:ListUserCertificateOrder');
    expect(error.requestId).toMatch(/^[0-9A-F-]{36}$/);
    await client.close();
  });

  test('bad input and not found are not retried', async () => {
    const client = clientFor(sandbox);
    const bad = await failure(client.listCertificatePage({ pageSize: 5000 }, 1));
    expect(bad).toMatchObject({ kind: 'bad_input', retryable: false });
    const missing = await failure(client.assignCertificateCount({ id: '999', certTotalCount: 1 }));
    expect(missing).toMatchObject({ kind: 'not_found', code: 'NotFound' });
    expect(sandbox.calls).toHaveLength(2);
    await client.close();
  });

  test('a data source ID that is not decimal digits is refused before anything is sent', async () => {
    const client = clientFor(sandbox);
    for (const id of ['', '12a', '-5', '1e3', ' 42', '1'.repeat(20)]) {
      const error = await failure(client.assignCertificateCount({ id, certTotalCount: 1 }));
      expect(error).toMatchObject({ kind: 'bad_input', code: 'InvalidId', operation: 'AssignCertificateCount' });
    }
    expect(sandbox.calls).toHaveLength(0);
    await client.close();
  });

  test('a malformed body is an invalid-response error', async () => {
    const client = clientFor(sandbox, { attempts: 1 });
    sandbox.failNext(1, 'malformed');
    const error = await failure(client.getAssetCount());
    expect(error).toMatchObject({ kind: 'invalid_response', operation: 'GetAssetCount' });
    await client.close();
  });

  test('a field of the wrong type names the operation, the field and the RequestId', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ RequestId: 'REQ-TYPE-1', TotalCount: 'many', CertificateOrderList: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = createCasClient({
      transport: createTransport({
        endpoint: parseEndpoint(`http://127.0.0.1:${port}`),
        region: 'cn-hangzhou',
        credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
        timeoutMs: 2000,
      }),
      qps: 50,
      maxConcurrent: 5,
      attempts: 1,
      cacheTtlSeconds: 60,
    });
    const error = await failure(client.listCertificatePage({}, 1));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('ListUserCertificateOrder');
    expect(error.message).toContain('TotalCount');
    expect(error.requestId).toBe('REQ-TYPE-1');
    await client.close();
    server.close();
  });

  test('nothing listening is a service-unavailable error after the retries', async () => {
    const client = createCasClient({
      transport: createTransport({
        endpoint: parseEndpoint('http://127.0.0.1:9'),
        region: 'cn-hangzhou',
        credentials: { accessKeyId: 'id', accessKeySecret: DEFAULT_ACCESS_KEY_SECRET },
        timeoutMs: 500,
      }),
      qps: 50,
      maxConcurrent: 5,
      attempts: 2,
      cacheTtlSeconds: 60,
      retryBaseDelayMs: 10,
    });
    const error = await failure(client.getRiskCount());
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(error.message).toContain('connection refused');
    await client.close();
  });
});

describe('retries, rate limit, coalescing and batching', () => {
  test('injected 503s and throttles are retried to success', async () => {
    const retries: string[] = [];
    const client = clientFor(sandbox);
    client.events.on('retry', (op) => retries.push(op));
    sandbox.failNext(2, { status: 503, code: 'ServiceUnavailable', message: 'try later' });
    const risk = await client.getRiskCount();
    expect(risk.RequestId).toBeDefined();
    sandbox.failNext(1, {
      status: 400,
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
    });
    const assets = await client.getAssetCount();
    expect(assets.RequestId).toBeDefined();
    expect(sandbox.calls.map((c) => c.status)).toEqual([503, 503, 200, 400, 200]);
    expect(retries).toEqual(['GetRiskCount', 'GetRiskCount', 'GetAssetCount']);
    await client.close();
  });

  test('events report every attempt with its outcome and duration, and each retry with its error', async () => {
    const client = clientFor(sandbox);
    const calls: [string, string][] = [];
    const durations: number[] = [];
    const retries: [string, unknown, number][] = [];
    client.events.on('call', (operation, outcome, durationMs) => {
      calls.push([operation, outcome]);
      durations.push(durationMs);
    });
    client.events.on('retry', (operation, error, attempt) => retries.push([operation, error, attempt]));
    sandbox.failNext(1, { status: 503, code: 'ServiceUnavailable', message: 'try later' });
    await client.getAssetCount();
    await failure(client.assignCertificateCount({ id: '999', certTotalCount: 1 }));
    expect(calls).toEqual([
      ['GetAssetCount', 'unavailable'],
      ['GetAssetCount', 'ok'],
      ['AssignCertificateCount', 'not_found'],
    ]);
    expect(durations.every((ms) => ms >= 0)).toBe(true);
    expect(retries).toEqual([['GetAssetCount', expect.objectContaining({ code: 'ServiceUnavailable' }), 1]]);
    await client.close();
  });

  test('a timeout is retried and the retry answers', async () => {
    const client = clientFor(sandbox, { timeoutMs: 300 });
    sandbox.failNext(1, 'timeout');
    const assets = await client.getAssetCount();
    expect(assets.Point).toBeDefined();
    expect(sandbox.calls).toHaveLength(2);
    await client.close();
  });

  test('the write is not repeated after a 5xx (it may have been applied)', async () => {
    const client = clientFor(sandbox);
    sandbox.failNext(1, { status: 503, code: 'ServiceUnavailable', message: 'try later' });
    const error = await failure(client.assignCertificateCount({ id: '33285', certTotalCount: 2 }));
    expect(error.kind).toBe('unavailable');
    expect(sandbox.calls).toHaveLength(1);
    await client.close();
  });

  test('queueDepth counts the calls waiting for or holding a limiter slot', async () => {
    const client = clientFor(sandbox, { qps: 50, maxConcurrent: 2 });
    expect(client.queueDepth()).toBe(0);
    sandbox.setFaults({ latencyMs: 100 });
    const pages = Promise.all([1, 2, 3, 4, 5].map((page) => client.listCertificatePage({ pageSize: 5 }, page)));
    while (sandbox.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The first answer is still 100 ms away: two calls hold a slot, three wait for one.
    expect(client.queueDepth()).toBe(5);
    await pages;
    expect(client.queueDepth()).toBe(0);
    await client.close();
  });

  test('100 concurrent GetRiskCount calls reach the simulator once', async () => {
    const client = clientFor(sandbox);
    sandbox.setFaults({ latencyMs: 50 });
    const results = await Promise.all(Array.from({ length: 100 }, () => client.getRiskCount()));
    expect(new Set(results.map((r) => r.RequestId)).size).toBe(1);
    expect(sandbox.calls).toHaveLength(1);
    await client.close();
  });

  test('40 concurrent single-serial lookups reach the simulator in at most 2 calls', async () => {
    const client = clientFor(sandbox);
    const certs = sandbox.dataset.certificates.slice(0, 40);
    const results = await Promise.all(certs.map((c) => client.getCertificateStatus(c.serialNo)));
    expect(results.map((r) => r.SerialNumber.toUpperCase())).toEqual(certs.map((c) => c.serialNo));
    results.forEach((r, i) => {
      expect(r.Status).toBe(certs[i].status === 'REVOKED' ? 'revoked' : 'good');
    });
    expect(sandbox.calls.length).toBeLessThanOrEqual(2);
    expect(sandbox.calls[0].query.SerialNumber.split(',')).toHaveLength(40);
    await client.close();
  });

  test('lookups arriving in separate requests a few milliseconds apart share one call', async () => {
    const client = clientFor(sandbox);
    const certs = sandbox.dataset.certificates.slice(0, 30);
    const results = await Promise.all(
      certs.map(
        (c, i) =>
          new Promise<string>((resolve, reject) => {
            // Each lookup in its own macrotask, as separate Slack requests arrive.
            setTimeout(() => client.getCertificateStatus(c.serialNo).then((r) => resolve(r.Status), reject), i);
          }),
      ),
    );
    expect(results).toEqual(certs.map((c) => (c.status === 'REVOKED' ? 'revoked' : 'good')));
    expect(sandbox.calls.length).toBeLessThanOrEqual(2);
    await client.close();
  });

  test('the certificate views list every expiring certificate, soonest first', async () => {
    const client = clientFor(sandbox);
    const now = new Date(sandbox.dataset.day);
    const expiring = await fetchCertificates(client, 'expiring', undefined, now, 'default');
    expect(expiring).toHaveLength(sandbox.dataset.certificates.filter((c) => c.status === 'WILLEXPIRED').length);
    const ends = expiring.map((c) => c.endDate ?? '');
    expect([...ends].sort()).toEqual(ends);
    await client.close();
  });
});
