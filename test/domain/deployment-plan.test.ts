import type { AlertHours } from '../../src/domain/alert-hours';
import { parseAlertHours } from '../../src/domain/alert-hours';
import { deploymentTime, nextWindowStart } from '../../src/domain/change-window';
import {
  describeJobProgress,
  deploymentJobName,
  isDeploymentRequestId,
  jobProgress,
  parseDeploymentJobName,
  type WorkerCounts,
  workerErrorText,
  workerTarget,
} from '../../src/domain/deployment-job';
import { type DeploymentTarget, describeNoPlan, planDeployment, stillStale } from '../../src/domain/deployment-plan';
import type { InventoryCertificate } from '../../src/domain/replacement';

const NOW = new Date(Date.UTC(2026, 4, 20, 14, 5));
const day = (offset: number) => new Date(Date.UTC(2026, 4, 20) + offset * 86_400_000).toISOString().slice(0, 10);

function cert(id: string, overrides: Partial<InventoryCertificate> & { ends?: number } = {}): InventoryCertificate {
  const { ends, ...rest } = overrides;
  return {
    account: 'prod',
    id,
    certificateId: id,
    commonName: 'shop.example.com',
    sans: ['shop.example.com', 'www.shop.example.com'],
    startDate: day(-300),
    endDate: day(ends ?? 10),
    expired: false,
    uploaded: false,
    ...rest,
  };
}

const slb: DeploymentTarget = {
  id: '3000001',
  certificateId: '100',
  cloud: 'aliyun',
  product: 'SLB',
  region: 'cn-hangzhou',
  instanceId: 'lb-bp1aaa',
  listenerId: 'lsn-1',
  listenerPort: '443',
};
const cdn: DeploymentTarget = { id: '3000002', certificateId: '100', product: 'CDN', domain: 'shop.example.com' };
const alb: DeploymentTarget = {
  id: '3000003',
  certificateId: '100',
  product: 'ALB',
  region: 'cn-beijing',
  instanceId: 'alb-1',
  listenerPort: '8443',
};
const tencent: DeploymentTarget = {
  id: '3000004',
  certificateId: '100',
  cloud: 'Tencent',
  product: 'TencentCDN',
  domain: 'www.shop.example.com',
};
const elsewhere: DeploymentTarget = { id: '3000005', certificateId: '200', product: 'CDN', domain: 'shop.example.com' };

describe('planDeployment', () => {
  const old = cert('100', { ends: 6 });
  const renewal = cert('200', { ends: 365, startDate: day(0) });

  test('the replacement and every Alibaba Cloud resource still on the old certificate, in a stable order', () => {
    const outcome = planDeployment({
      account: 'prod',
      certificateId: '100',
      certificates: [old, renewal, cert('150', { ends: 200, commonName: 'other.example.com', sans: [] })],
      resources: [cdn, slb, tencent, elsewhere, alb],
      now: NOW,
    });
    if (!('plan' in outcome)) throw new Error(describeNoPlan(outcome.noPlan));
    expect(outcome.plan.old.id).toBe('100');
    expect(outcome.plan.replacement).toMatchObject({ id: '200', endDate: day(365) });
    expect(outcome.plan.resources.map((r) => r.id)).toEqual(['3000003', '3000002', '3000001']);
    expect(outcome.plan.skipped).toEqual([{ resource: tencent, reason: 'other-cloud' }]);
  });

  test('the same replacement the rest of the bot infers: the latest-ending one covering every name', () => {
    const shorter = cert('300', { ends: 100 });
    const wildcard = cert('400', {
      ends: 400,
      commonName: '*.shop.example.com',
      sans: ['shop.example.com', '*.shop.example.com'],
    });
    const partial = cert('500', { ends: 500, sans: ['shop.example.com'] }); // does not cover www.
    const outcome = planDeployment({
      account: 'prod',
      certificateId: '100',
      certificates: [old, shorter, wildcard, partial],
      resources: [slb],
      now: NOW,
    });
    expect('plan' in outcome && outcome.plan.replacement.id).toBe('400');
  });

  test.each([
    [
      'an unknown certificate',
      '999',
      [old, renewal],
      [slb],
      'unknown-certificate',
      'No certificate 999 in this account.',
    ],
    ['one that nothing renews', '100', [old], [slb], 'no-replacement', 'has no replacement'],
    ['one no resource serves any more', '100', [old, renewal], [elsewhere], 'nothing-stale', 'Nothing to deploy'],
    ['one only other clouds serve', '100', [old, renewal], [tencent], 'other-clouds-only', 'other clouds'],
  ])('no plan for %s, and a sentence saying why', (_what, id, certificates, resources, kind, sentence) => {
    const outcome = planDeployment({ account: 'prod', certificateId: id, certificates, resources, now: NOW });
    expect('noPlan' in outcome && outcome.noPlan.kind).toBe(kind);
    if ('noPlan' in outcome) expect(describeNoPlan(outcome.noPlan)).toContain(sentence);
  });

  test('another account, a removed certificate and a revoked renewal do not count', () => {
    const plan = (certificates: InventoryCertificate[]) =>
      planDeployment({ account: 'prod', certificateId: '100', certificates, resources: [slb], now: NOW });
    expect(plan([old, { ...renewal, account: 'staging' }])).toMatchObject({ noPlan: { kind: 'no-replacement' } });
    expect(plan([old, { ...renewal, removedAt: new Date(NOW.getTime() - 1) }])).toMatchObject({
      noPlan: { kind: 'no-replacement' },
    });
    expect(plan([old, { ...renewal, status: 'REVOKED' }])).toMatchObject({ noPlan: { kind: 'no-replacement' } });
    expect(plan([{ ...old, account: 'staging' }, renewal])).toMatchObject({ noPlan: { kind: 'unknown-certificate' } });
  });

  test('at approval, resources that left the old certificate are dropped and named', () => {
    const outcome = planDeployment({
      account: 'prod',
      certificateId: '100',
      certificates: [old, renewal],
      resources: [slb, cdn],
      now: NOW,
    });
    if (!('plan' in outcome)) throw new Error('expected a plan');
    const { kept, gone } = stillStale(outcome.plan, [slb, { ...cdn, certificateId: '200' }]);
    expect(kept).toEqual([slb]);
    expect(gone).toEqual([cdn]);
  });
});

describe('the change window', () => {
  const hours = parseAlertHours('22:00-23:30') as AlertHours;

  test("inside: now; outside: the window's next start, later today or tomorrow", () => {
    expect(deploymentTime({ hours, timeZone: 'UTC' }, new Date('2026-05-20T22:15:00Z'))).toEqual({ now: true });
    expect(deploymentTime(undefined, new Date('2026-05-20T03:00:00Z'))).toEqual({ now: true });
    expect(deploymentTime({ hours, timeZone: 'UTC' }, new Date('2026-05-20T14:05:30Z'))).toEqual({
      now: false,
      scheduleAt: new Date('2026-05-20T22:00:00Z'),
    });
    expect(deploymentTime({ hours, timeZone: 'UTC' }, new Date('2026-05-20T23:30:00Z'))).toEqual({
      now: false,
      scheduleAt: new Date('2026-05-21T22:00:00Z'),
    });
  });

  test("in the window's own time zone, across daylight saving time", () => {
    const nine = parseAlertHours('09:00-17:00') as AlertHours;
    // Berlin: UTC+1 in winter, UTC+2 from 29 March 2026 at 02:00 local time.
    expect(nextWindowStart(nine, 'Europe/Berlin', new Date('2026-01-15T17:30:00Z')).toISOString()).toBe(
      '2026-01-16T08:00:00.000Z',
    );
    expect(nextWindowStart(nine, 'Europe/Berlin', new Date('2026-03-28T18:00:00Z')).toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    expect(nextWindowStart(nine, 'Europe/Berlin', new Date('2026-10-24T18:00:00Z')).toISOString()).toBe(
      '2026-10-25T08:00:00.000Z',
    );
    expect(nextWindowStart(nine, 'Asia/Shanghai', new Date('2026-05-20T00:30:00Z')).toISOString()).toBe(
      '2026-05-20T01:00:00.000Z',
    );
  });

  test('a start in the hour a spring-forward skips opens right after the gap', () => {
    const two = parseAlertHours('02:30-05:00') as AlertHours;
    // 02:30 does not exist in Berlin on 29 March 2026: the clock goes from 02:00 CET to 03:00 CEST.
    expect(nextWindowStart(two, 'Europe/Berlin', new Date('2026-03-28T23:00:00Z')).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // In autumn 02:30 happens twice: the first one.
    expect(nextWindowStart(two, 'Europe/Berlin', new Date('2026-10-24T18:00:00Z')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});

describe('the job name carries the request', () => {
  const parts = { requestId: 'Zx9_kL-3aBcDeFgH1234', oldCertificateId: '100', newCertificateId: '200' };

  test("made and read back; other names are not the bot's", () => {
    const name = deploymentJobName(parts);
    expect(name).toBe('certbot-100-to-200-Zx9_kL-3aBcDeFgH1234');
    expect(name.length).toBeLessThanOrEqual(128);
    expect(parseDeploymentJobName(name)).toEqual(parts);
    for (const other of ['my job', 'certbot-100-to-200', 'certbot-x-to-200-abcdef', undefined])
      expect(parseDeploymentJobName(other)).toBeUndefined();
  });

  test('request IDs that cannot go in a name are refused', () => {
    expect(isDeploymentRequestId('abc12')).toBe(false);
    expect(isDeploymentRequestId('a'.repeat(65))).toBe(false);
    expect(isDeploymentRequestId('has space1')).toBe(false);
    expect(() => deploymentJobName({ ...parts, requestId: 'bad id!' })).toThrow(RangeError);
    expect(() => deploymentJobName({ ...parts, oldCertificateId: 'x' })).toThrow(RangeError);
  });
});

describe('job progress', () => {
  const counts = (over: Partial<WorkerCounts>): WorkerCounts => ({
    WorkerCount: 5,
    SuccessCount: 0,
    FailedCount: 0,
    RollbackCount: 0,
    RollbackSuccessCount: 0,
    RollbackFailedCount: 0,
    ...over,
  });

  test.each([
    ['waiting in editing', {}, 'editing', 'waiting to be started, 5 resources', false],
    ['scheduled for later', {}, 'pending', 'scheduled, 5 resources', false],
    ['starting', {}, 'scheduling', 'starting, 5 resources', false],
    ['running', { SuccessCount: 3, FailedCount: 1 }, 'processing', '3 of 5 resources done, 1 failed', false],
    ['done', { SuccessCount: 5 }, 'success', '5 of 5 resources done', true],
    ['done with failures', { SuccessCount: 4, FailedCount: 1 }, 'error', '4 of 5 resources done, 1 failed', true],
    [
      'rolling back',
      { SuccessCount: 3, RollbackCount: 2, RollbackSuccessCount: 1 },
      'success',
      '3 of 5 resources done, 1 rolled back, 1 rolling back',
      true,
    ],
  ])('%s', (_what, over, status, text, finished) => {
    const progress = jobProgress(counts(over), status);
    expect(describeJobProgress(progress, status)).toBe(text);
    expect(progress.finished).toBe(finished);
  });

  test('finished and settled, and the outcome, follow the counters', () => {
    expect(jobProgress(counts({ SuccessCount: 5 }), 'processing')).toMatchObject({
      finished: true,
      settled: true,
      outcome: 'deployed',
      running: 0,
    });
    expect(jobProgress(counts({ FailedCount: 5 }))).toMatchObject({ outcome: 'failed' });
    expect(jobProgress(counts({ SuccessCount: 2, FailedCount: 1 }), 'processing')).toMatchObject({
      finished: false,
      running: 2,
    });
    expect(jobProgress(counts({ SuccessCount: 4, RollbackCount: 1 }), 'success')).toMatchObject({
      settled: false,
      rollingBack: 1,
      outcome: 'deployed',
    });
    expect(describeJobProgress(jobProgress(counts({ WorkerCount: 1, SuccessCount: 1 }), 'success'))).toBe(
      '1 of 1 resource done',
    );
  });
});

describe('workers', () => {
  test('a worker row as a resource: product, region, instance, listener and port, domain', () => {
    expect(
      workerTarget({
        Id: 7,
        Status: 'error',
        CloudProduct: 'SLB',
        RegionId: 'cn-hangzhou',
        ResourceId: 3000001,
        InstanceId: 'lb-1',
        ListenerId: 'lsn-1',
        Port: 443,
        ResourceDomain: '',
        ResourceCertId: 100,
      }),
    ).toEqual({
      id: '3000001',
      certificateId: '100',
      cloud: undefined,
      product: 'SLB',
      region: 'cn-hangzhou',
      instanceId: 'lb-1',
      listenerId: 'lsn-1',
      listenerPort: '443',
      domain: undefined,
    });
  });

  test('an error text only when the row carries one', () => {
    expect(workerErrorText({ Id: 1, Status: 'error' })).toBeUndefined();
    expect(workerErrorText({ Id: 1, Status: 'error', ErrorMessage: ' listener not found ' })).toBe(
      'listener not found',
    );
  });
});
