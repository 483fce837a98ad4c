import type { ClaimRequest } from '../../../src/store/types';
import { describeContract, HOUR, later, T0 } from './backends';

const PERIOD = '2025-03-03T09:00:00.000Z';
const LEASE = HOUR;

function claim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    kind: 'digest',
    subject: 'C0AAA',
    period: PERIOD,
    holder: 'host-a:1',
    now: T0,
    leaseMs: LEASE,
    ...overrides,
  };
}
const key = (subject = 'C0AAA', period = PERIOD, kind = 'digest') => ({ kind, subject, period });

describeContract('claim store contract', ({ store, another }) => {
  test('a (kind, subject, period) is claimed once', async () => {
    const claims = store().claims;
    expect(await claims.claim(claim())).toEqual({ attempt: 1 });
    expect(await claims.claim(claim({ holder: 'host-b:2' }))).toBeUndefined();
    expect(await claims.claim(claim())).toBeUndefined();
    const entry = await claims.get(key());
    expect(entry).toMatchObject({
      subject: 'C0AAA',
      period: PERIOD,
      status: 'claimed',
      holder: 'host-a:1',
      attempts: 1,
    });
    expect(entry?.claimedAt.getTime()).toBe(T0.getTime());
    expect(entry?.leaseUntil?.getTime()).toBe(later(LEASE).getTime());
    expect(entry?.finishedAt).toBeUndefined();
  });

  test('another subject, period or kind is claimed independently', async () => {
    const claims = store().claims;
    expect(await claims.claim(claim())).toBeDefined();
    expect(await claims.claim(claim({ subject: 'C0BBB' }))).toBeDefined();
    expect(await claims.claim(claim({ period: '2025-03-10T09:00:00.000Z' }))).toBeDefined();
    expect(await claims.claim(claim({ kind: 'cert-assign' }))).toBeDefined();
    expect(await claims.get(key('C0CCC'))).toBeUndefined();
  });

  test('finishing records the status, result and error', async () => {
    const claims = store().claims;
    await claims.claim(claim());
    await claims.claim(claim({ subject: 'C0BBB' }));
    await claims.finish(key(), 'host-a:1', {
      status: 'posted',
      result: { messageTs: '1700000000.000100' },
      now: later(5000),
    });
    await claims.finish(key('C0BBB'), 'host-a:1', {
      status: 'failed',
      error: 'not_in_channel: invite',
      now: later(6000),
    });

    const posted = await claims.get(key());
    expect(posted).toMatchObject({ status: 'posted', result: { messageTs: '1700000000.000100' }, error: undefined });
    expect(posted?.finishedAt?.getTime()).toBe(later(5000).getTime());
    expect(posted?.leaseUntil).toBeUndefined();
    expect(await claims.get(key('C0BBB'))).toMatchObject({
      status: 'failed',
      result: undefined,
      error: 'not_in_channel: invite',
    });
  });

  test('a released claim can be claimed again, as a later attempt; only its holder releases it', async () => {
    const claims = store().claims;
    await claims.claim(claim());
    await claims.release(key(), 'host-b:2');
    expect(await claims.claim(claim({ holder: 'host-b:2' }))).toBeUndefined();

    await claims.release(key(), 'host-a:1');
    expect(await claims.get(key())).toMatchObject({ status: 'released' });
    expect(await claims.claim(claim({ holder: 'host-b:2', now: later(1000) }))).toEqual({ attempt: 2 });
    expect(await claims.get(key())).toMatchObject({ status: 'claimed', holder: 'host-b:2' });
  });

  test('releasing or finishing by another holder leaves a claim in place', async () => {
    const claims = store().claims;
    await claims.claim(claim());
    await claims.finish(key(), 'host-b:2', { status: 'posted', now: later(1000) });
    expect(await claims.get(key())).toMatchObject({ status: 'claimed', holder: 'host-a:1' });
    await claims.finish(key(), 'host-a:1', { status: 'posted', result: { messageTs: '1.2' }, now: later(1000) });
    await claims.release(key(), 'host-a:1');
    expect(await claims.get(key())).toMatchObject({ status: 'posted' });
  });

  test('a claim whose lease ran out is free at once; a live one is not; renewal keeps it', async () => {
    const claims = store().claims;
    await claims.claim(claim());
    expect(await claims.claim(claim({ holder: 'host-b:2', now: later(LEASE - 1) }))).toBeUndefined();
    expect(await claims.renew(key(), 'host-a:1', later(LEASE - 1), LEASE)).toBe(true);
    expect(await claims.claim(claim({ holder: 'host-b:2', now: later(LEASE + 1) }))).toBeUndefined();
    expect(await claims.claim(claim({ holder: 'host-b:2', now: later(2 * LEASE) }))).toEqual({ attempt: 2 });
    const entry = await claims.get(key());
    expect(entry).toMatchObject({ status: 'claimed', holder: 'host-b:2', attempts: 2 });
    expect(entry?.claimedAt.getTime()).toBe(later(2 * LEASE).getTime());
    // The old holder has lost it: its renewal fails, and the takeover is itself a live claim.
    expect(await claims.renew(key(), 'host-a:1', later(2 * LEASE), LEASE)).toBe(false);
    expect(await claims.claim(claim({ holder: 'host-c:3', now: later(2 * LEASE + 2) }))).toBeUndefined();
  });

  test('finished work is never taken over, however old, unless forced', async () => {
    const claims = store().claims;
    await claims.claim(claim());
    await claims.claim(claim({ subject: 'C0BBB' }));
    await claims.finish(key(), 'host-a:1', { status: 'posted', now: later(1000) });
    await claims.finish(key('C0BBB'), 'host-a:1', { status: 'failed', error: 'boom', now: later(1000) });
    const muchLater = later(100 * HOUR);
    expect(await claims.claim(claim({ holder: 'host-b:2', now: muchLater }))).toBeUndefined();
    expect(await claims.claim(claim({ subject: 'C0BBB', holder: 'host-b:2', now: muchLater }))).toBeUndefined();
    expect(await claims.get(key())).toMatchObject({ status: 'posted', holder: 'host-a:1' });
  });

  test('force claims finished work again, clearing its outcome', async () => {
    const claims = store().claims;
    await claims.claim(claim());
    await claims.finish(key(), 'host-a:1', { status: 'posted', result: { messageTs: '1.2' }, now: later(1000) });
    expect(await claims.claim(claim({ holder: 'cli:9', now: later(2000), force: true }))).toEqual({ attempt: 2 });
    const entry = await claims.get(key());
    expect(entry).toMatchObject({
      status: 'claimed',
      holder: 'cli:9',
      result: undefined,
      error: undefined,
      finishedAt: undefined,
    });
    expect(entry?.claimedAt.getTime()).toBe(later(2000).getTime());
    // Force on a free key is an ordinary claim.
    expect(await claims.claim(claim({ subject: 'C0NEW', force: true }))).toEqual({ attempt: 1 });
  });

  test('claims list newest period first, subjects in order, by kind', async () => {
    const claims = store().claims;
    const mar10 = '2025-03-10T09:00:00.000Z';
    await claims.claim(claim({ subject: 'C0BBB' }));
    await claims.claim(claim({ subject: 'C0AAA', period: mar10 }));
    await claims.claim(claim({ subject: 'C0AAA' }));
    await claims.claim(claim({ subject: 'C0BBB', period: mar10 }));
    await claims.claim(claim({ kind: 'job', subject: 'sync' }));

    const keys = (await claims.list('digest', 10)).map((e) => `${e.period} ${e.subject}`);
    expect(keys).toEqual([`${mar10} C0AAA`, `${mar10} C0BBB`, `${PERIOD} C0AAA`, `${PERIOD} C0BBB`]);
    expect(await claims.list('digest', 3)).toHaveLength(3);
    expect((await claims.list('digest', 10, 'C0BBB')).map((e) => `${e.period} ${e.subject}`)).toEqual([
      `${mar10} C0BBB`,
      `${PERIOD} C0BBB`,
    ]);
  });

  test('of 20 instances claiming the same key at once, exactly one wins', async () => {
    const instances = await Promise.all(Array.from({ length: 20 }, () => another()));
    const results = await Promise.all(
      instances.map((instance, i) => instance.claims.claim(claim({ holder: `host-${i}:1` }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.findIndex(Boolean);
    expect(await store().claims.get(key())).toMatchObject({ status: 'claimed', holder: `host-${winner}:1` });
  });

  test('of 20 instances taking over the same expired lease at once, exactly one wins', async () => {
    await store().claims.claim(claim());
    const instances = await Promise.all(Array.from({ length: 20 }, () => another()));
    const results = await Promise.all(
      instances.map((instance, i) => instance.claims.claim(claim({ holder: `host-${i}:1`, now: later(2 * HOUR) }))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
