import type { AuditEntry } from '../../../src/store/types';
import { describeContract, later, T0 } from './backends';

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
});
