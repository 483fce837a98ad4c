import type { AuditEntry } from '../../../src/store/types';
import { describeContract, HOUR, later, T0 } from './backends';

describeContract('audit log contract', ({ store, backend }) => {
  test('reports its kind and answers a ping', async () => {
    expect(store().kind).toBe(backend.name);
    await expect(store().ping()).resolves.toBeUndefined();
  });

  test('audit entries come back newest first with their details', async () => {
    const first: AuditEntry = {
      at: T0,
      userId: 'U0ADMIN',
      teamId: 'T0TEAM',
      channelId: 'C0AAA',
      action: 'cert-assign',
      outcome: 'requested',
      details: { dataSourceId: '9007199254740993', serials: ['a1', 'b2'], nested: { dryRun: false, note: null } },
      requestId: 'req-1',
    };
    const second: AuditEntry = {
      at: later(1000),
      userId: 'U0OTHER',
      action: 'cert-assign',
      outcome: 'denied',
      details: {},
    };
    await store().audit.record(first);
    await store().audit.record(second);

    const entries = await store().audit.list(10);
    expect(entries).toEqual([{ ...second, teamId: undefined, channelId: undefined, requestId: undefined }, first]);
    expect(entries[1].at.getTime()).toBe(T0.getTime());
    expect(await store().audit.list(1)).toHaveLength(1);
  });

  test('list filters by time (from `since` on, inclusive) and by user, newest first, before the limit', async () => {
    const entry = (hours: number, userId: string, outcome: AuditEntry['outcome']): AuditEntry => ({
      at: later(hours * HOUR),
      userId,
      action: 'cert-assign',
      outcome,
      details: { hours },
    });
    const recorded = [
      entry(0, 'U0ALICE', 'refused'),
      entry(1, 'U0BOB', 'requested'),
      entry(2, 'U0ALICE', 'requested'),
      entry(3, 'U0BOB', 'confirmed'),
      entry(4, 'U0ALICE', 'succeeded'),
    ];
    for (const e of recorded) await store().audit.record(e);
    const hoursOf = (entries: AuditEntry[]) => entries.map((e) => e.details.hours);

    expect(hoursOf(await store().audit.list(10))).toEqual([4, 3, 2, 1, 0]);
    expect(hoursOf(await store().audit.list(10, {}))).toEqual([4, 3, 2, 1, 0]);
    // `since` is inclusive, to the millisecond.
    expect(hoursOf(await store().audit.list(10, { since: later(2 * HOUR) }))).toEqual([4, 3, 2]);
    expect(hoursOf(await store().audit.list(10, { since: later(2 * HOUR + 1) }))).toEqual([4, 3]);
    expect(hoursOf(await store().audit.list(10, { userId: 'U0ALICE' }))).toEqual([4, 2, 0]);
    expect(hoursOf(await store().audit.list(10, { userId: 'U0BOB', since: later(2 * HOUR) }))).toEqual([3]);
    // The limit counts matching entries only.
    expect(hoursOf(await store().audit.list(2, { userId: 'U0ALICE' }))).toEqual([4, 2]);
    expect(await store().audit.list(10, { since: later(5 * HOUR) })).toEqual([]);
    expect(await store().audit.list(10, { userId: 'U0NOBODY' })).toEqual([]);
    // A user filter is exact: no pattern matching, no case folding.
    expect(await store().audit.list(10, { userId: 'u0alice' })).toEqual([]);
    expect(await store().audit.list(10, { userId: 'U0%' })).toEqual([]);
    const [latest] = await store().audit.list(1, { userId: 'U0ALICE', since: T0 });
    expect(latest).toEqual({ ...recorded[4], teamId: undefined, channelId: undefined, requestId: undefined });
  });
});
