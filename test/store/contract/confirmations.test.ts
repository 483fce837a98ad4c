import { describeContract, HOUR, later, T0 } from './backends';

describeContract('confirmation store contract', ({ store, another }) => {
  test('a pending confirmation is kept exactly and found by its nonce from another instance', async () => {
    const pending = {
      nonce: 'n0nce-ABCDEFGHIJKLMNOP',
      kind: 'cert-assign',
      requester: 'U0ADMIN',
      payload: { dataSourceId: '9007199254740993', count: 7 },
      createdAt: T0,
      expiresAt: later(HOUR),
    };
    await store().confirmations.save(pending);
    const other = await another();
    expect(await other.confirmations.get(pending.nonce)).toEqual(pending);
    expect(await other.confirmations.get('n0nce-unknown-000000')).toBeUndefined();
  });

  test('a nonce is stored once', async () => {
    const pending = {
      nonce: 'n0nce-ABCDEFGHIJKLMNOP',
      kind: 'cert-assign',
      requester: 'U0ADMIN',
      payload: {},
      createdAt: T0,
      expiresAt: later(HOUR),
    };
    await store().confirmations.save(pending);
    // By message: better-sqlite3's error class comes from the first test file's sandbox in a worker.
    const second = await store()
      .confirmations.save({ ...pending, requester: 'U0OTHER' })
      .then(
        () => 'saved',
        (error: { message?: string }) => String(error?.message),
      );
    expect(second).toMatch(/unique|duplicate/i);
    expect((await store().confirmations.get(pending.nonce))?.requester).toBe('U0ADMIN');
  });
});
