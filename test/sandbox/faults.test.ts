import { type CallRecord, type Sandbox, startSandbox } from '../../src/sandbox';
import { SlidingWindowLimiter } from '../../src/sandbox/rate-window';
import { callCas, failureOf, sandboxClient } from './cas-client';
import { sendSigned } from './signed-request';

const SSL = '2020-04-07';
const riskCount = (sandbox: Sandbox) => callCas(sandboxClient(sandbox), 'GetRiskCount', SSL);

describe('sliding window', () => {
  it('refuses the call over the limit in any 1000 ms and lets refused calls not count', () => {
    const limiter = new SlidingWindowLimiter(2);
    expect([0, 100, 200, 999].map((t) => limiter.tryAcquire('ak', t))).toEqual([true, true, false, false]);
    expect(limiter.tryAcquire('other', 999)).toBe(true);
    expect(limiter.tryAcquire('ak', 1000)).toBe(true);
    expect(limiter.tryAcquire('ak', 1099)).toBe(false);
    expect(limiter.tryAcquire('ak', 1100)).toBe(true);
  });
});

describe('QPS throttling over HTTP', () => {
  let sandbox: Sandbox;
  // The simulator's clock stands still while the burst arrives, so the twelve calls fall in one
  // second however long a busy machine takes to send them; the test moves it on to recover.
  let clock = Date.now();
  beforeAll(async () => {
    sandbox = await startSandbox({ certs: 20, qps: 5, rateClock: () => clock });
  });
  afterAll(() => sandbox.close());

  it('answers Throttling.User beyond qps calls in a second and recovers after it', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => riskCount(sandbox)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejected).toHaveLength(7);
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'Throttling.User', statusCode: 400 });
    expect(sandbox.stats()).toMatchObject({ calls: 12, throttled: 7, injected: 0, byAction: { GetRiskCount: 12 } });

    clock += 1050;
    await expect(riskCount(sandbox)).resolves.toHaveProperty('RequestId');
  });
});

describe('fault switches', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ certs: 20, qps: 1000 });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.setFaults({ latencyMs: 0, unavailableRate: 0, timeoutRate: 0, malformedRate: 0, throttleRate: 0 });
    sandbox.resetCalls();
  });
  const last = (): CallRecord | undefined => sandbox.calls.at(-1);

  it('delays every answer, errors included', async () => {
    sandbox.setFaults({ latencyMs: 150 });
    let started = Date.now();
    await riskCount(sandbox);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    started = Date.now();
    await failureOf(callCas(sandboxClient(sandbox, { accessKeyId: 'nobody' }), 'GetRiskCount', SSL));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers 503 ServiceUnavailable at unavailableRate 1', async () => {
    sandbox.setFaults({ unavailableRate: 1 });
    expect(await failureOf(riskCount(sandbox))).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    expect(last()).toMatchObject({ status: 503, injected: 'unavailable' });
    expect(sandbox.stats()).toMatchObject({ injected: 1, throttled: 0 });
  });

  it('answers Throttling.User at throttleRate 1 without counting it as QPS throttling', async () => {
    sandbox.setFaults({ throttleRate: 1 });
    expect(await failureOf(riskCount(sandbox))).toMatchObject({ code: 'Throttling.User', statusCode: 400 });
    expect(sandbox.stats()).toMatchObject({ injected: 1, throttled: 0 });
  });

  it('truncates the body at malformedRate 1, which the client reports as a JSON error', async () => {
    sandbox.setFaults({ malformedRate: 1 });
    const failure = await failureOf(riskCount(sandbox));
    expect(failure.name).toBe('SyntaxError');
    expect(failure.code).toBeUndefined();
    const raw = await sendSigned(sandbox, { action: 'GetRiskCount', version: SSL });
    expect(raw.status).toBe(200);
    expect(raw.text.startsWith('{"RequestId":')).toBe(true);
    expect(() => raw.json()).toThrow(SyntaxError);
  });

  it('never answers at timeoutRate 1, so the client times out', async () => {
    sandbox.setFaults({ timeoutRate: 1 });
    const failure = await failureOf(callCas(sandboxClient(sandbox), 'GetRiskCount', SSL, {}, { readTimeout: 200 }));
    expect(failure.name).toMatch(/Timeout/);
    expect(last()).toMatchObject({ status: 0, injected: 'timeout' });
  });

  it('mixes rates reproducibly for a seed', async () => {
    const schedule = async () => {
      const s = await startSandbox({
        certs: 5,
        seed: 9,
        qps: 1000,
        faults: { unavailableRate: 0.3, throttleRate: 0.3 },
      });
      try {
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => riskCount(s)));
        return { codes: s.calls.map((c) => c.code ?? 'ok'), results };
      } finally {
        await s.close();
      }
    };
    const first = await schedule();
    const second = await schedule();
    expect(first.codes).toEqual(second.codes);
    expect(new Set(first.codes)).toEqual(new Set(['ok', 'ServiceUnavailable', 'Throttling.User']));
  });

  it('rejects impossible fault settings', () => {
    expect(() => sandbox.setFaults({ unavailableRate: 1.5 })).toThrow(RangeError);
    expect(() => sandbox.setFaults({ unavailableRate: 0.6, timeoutRate: 0.6 })).toThrow(RangeError);
  });
});

describe('failNext', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ certs: 20, qps: 1000 });
  });
  afterAll(() => sandbox.close());

  it('answers the next n signed requests as told, with AccessDeniedDetail, then recovers', async () => {
    const detail = {
      AuthAction: 'yundun-cert:GetRiskCount',
      AuthPrincipalType: 'SubUser',
      NoPermissionType: 'ImplicitDeny',
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      EncodedDiagnosticMessage: 'AQEAAAAA',
    };
    sandbox.failNext(2, { status: 403, code: 'Forbidden.RAM', accessDeniedDetail: detail });
    // A request failing the signature check does not use up a scripted answer.
    await failureOf(callCas(sandboxClient(sandbox, { accessKeySecret: 'bad' }), 'GetRiskCount', SSL));
    for (let i = 0; i < 2; i++) {
      const failure = await failureOf(riskCount(sandbox));
      expect(failure).toMatchObject({ code: 'Forbidden.RAM', statusCode: 403, accessDeniedDetail: detail });
    }
    await expect(riskCount(sandbox)).resolves.toHaveProperty('BuyCertificateExpireCount');
    expect(sandbox.calls.map((c) => c.injected ?? null)).toEqual([null, 'failNext', 'failNext', null]);
  });

  it('can script a malformed answer', async () => {
    sandbox.failNext(1, 'malformed');
    expect((await failureOf(riskCount(sandbox))).name).toBe('SyntaxError');
  });

  it('still applies a write whose answer is lost', async () => {
    sandbox.failNext(1, 'timeout');
    const failure = await failureOf(
      callCas(
        sandboxClient(sandbox),
        'AssignCertificateCount',
        '2020-06-30',
        { Id: 33286, CertTotalCount: 42 },
        { readTimeout: 150 },
      ),
    );
    expect(failure.name).toMatch(/Timeout/);
    expect(sandbox.dataset.dataSources.find((s) => s.id === 33286)?.assignedCertCount).toBe(42);
  });
});

describe('close', () => {
  it('ends requests held open by a timeout fault', async () => {
    const sandbox = await startSandbox({ certs: 5 });
    sandbox.failNext(1, 'timeout');
    const held = sendSigned(sandbox, { action: 'GetRiskCount', version: SSL });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sandbox.calls).toHaveLength(1);
    const started = Date.now();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(held).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('ends answers still waiting out their latency', async () => {
    const sandbox = await startSandbox({ certs: 5, faults: { latencyMs: 60_000 } });
    const waiting = sendSigned(sandbox, { action: 'GetRiskCount', version: SSL });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sandbox.close();
    await expect(waiting).rejects.toThrow();
  });
});
