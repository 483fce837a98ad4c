import type { DeploymentRequest } from '../../../src/domain/deployment-request';
import { describeContract, HOUR, later, T0 } from './backends';

const request = (id = 'Zx9_kL-3aBcDeFgH12345678'): DeploymentRequest => ({
  id,
  state: 'requested',
  account: 'default',
  requester: 'U0ALICE',
  channel: 'C0DEPLOY',
  oldCertificateId: '10000021',
  newCertificateId: '10000022',
  resources: [{ id: '3000027', certificateId: '10000021', product: 'SLB', region: 'cn-hangzhou', listenerPort: '443' }],
  facts: { oldNames: ['shop.example.com'], oldEndDate: '2026-12-11' },
  note: 'before the freeze',
  createdAt: T0,
  expiresAt: later(24 * HOUR),
  updatedAt: T0,
});

describeContract('deployment request store contract', ({ store, another }) => {
  test('a request is kept exactly and found by its ID from another instance', async () => {
    await store().deployments.create(request());
    const other = await another();
    expect(await other.deployments.get(request().id)).toEqual(request());
    expect(await other.deployments.get('unknown-request-id')).toBeUndefined();
  });

  test('approval moves a request once: of two instances approving together, one wins', async () => {
    await store().deployments.create(request());
    const other = await another();
    const results = await Promise.all([
      store().deployments.transition(request().id, ['requested'], 'approved', { approver: 'U0BOB' }, later(HOUR)),
      other.deployments.transition(request().id, ['requested'], 'approved', { approver: 'U0CAROL' }, later(HOUR)),
    ]);
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    const stored = await store().deployments.get(request().id);
    expect(stored?.state).toBe('approved');
    expect(stored?.approver).toBe(winners[0]?.approver);
    // A replay after the approval finds nothing to move.
    expect(
      await store().deployments.transition(request().id, ['requested'], 'approved', { approver: 'U0BOB' }, later(HOUR)),
    ).toBeUndefined();
  });

  test('the job, the message and the progress are kept; resources change without losing the facts', async () => {
    await store().deployments.create(request());
    await store().deployments.update(request().id, { messageTs: '1700000000.000100' }, later(1));
    await store().deployments.transition(request().id, ['requested'], 'approved', { resources: [] }, later(2));
    await store().deployments.transition(
      request().id,
      ['approved'],
      'created',
      { jobId: 10001, scheduleAt: later(HOUR) },
      later(3),
    );
    const progress = { summary: '1 of 2 resources done', total: 2, deployed: 1, failed: 0, failedWorkers: [] };
    await store().deployments.update(request().id, { progress }, later(4));
    const stored = await store().deployments.get(request().id);
    expect(stored).toMatchObject({
      state: 'created',
      messageTs: '1700000000.000100',
      jobId: 10001,
      scheduleAt: later(HOUR),
      resources: [],
      facts: request().facts,
      progress,
      updatedAt: later(4),
    });
    expect((await store().deployments.byJob(10001))?.id).toBe(request().id);
    expect((await store().deployments.list(['created', 'started'])).map((r) => r.id)).toEqual([request().id]);
    expect(await store().deployments.list(['requested'])).toEqual([]);
  });

  test('an ID is stored once', async () => {
    await store().deployments.create(request());
    const second = await store()
      .deployments.create({ ...request(), requester: 'U0MALLORY' })
      .then(
        () => 'saved',
        (error: { message?: string }) => String(error?.message),
      );
    expect(second).toMatch(/unique|duplicate/i);
    expect((await store().deployments.get(request().id))?.requester).toBe('U0ALICE');
  });
});
