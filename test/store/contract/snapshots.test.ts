import type { DigestSnapshot } from '../../../src/store/types';
import { describeContract, HOUR, later } from './backends';

describeContract('snapshot store contract', ({ store }) => {
  test('snapshots are saved, replaced, and the latest strictly earlier one is "previous"', async () => {
    const snapshot = (period: string, totalRisk: number, point?: number): DigestSnapshot => ({
      period,
      takenAt: new Date(period),
      point,
      risks: { expired: totalRisk, expiring: 1, revoked: 0 },
      totalRisk,
    });
    const feb17 = '2025-02-17T09:00:00.000Z';
    const feb24 = '2025-02-24T09:00:00.000Z';
    const mar03 = '2025-03-03T09:00:00.000Z';
    const snapshots = store().snapshots;
    expect(await snapshots.previousSnapshot(mar03)).toBeUndefined();
    await snapshots.saveSnapshot(snapshot(feb24, 7, 81.5));
    await snapshots.saveSnapshot(snapshot(feb17, 3));
    await snapshots.saveSnapshot(snapshot(mar03, 9));

    expect(await snapshots.previousSnapshot(mar03)).toEqual(snapshot(feb24, 7, 81.5));
    expect(await snapshots.previousSnapshot(feb24)).toEqual(snapshot(feb17, 3));
    expect(await snapshots.previousSnapshot(feb17)).toBeUndefined();
    expect(await snapshots.previousSnapshot('2025-03-10T09:00:00.000Z')).toEqual(snapshot(mar03, 9));

    // The same period saved again (a forced re-post) replaces its numbers.
    await snapshots.saveSnapshot({ ...snapshot(feb24, 12), takenAt: later(HOUR) });
    expect(await snapshots.previousSnapshot(mar03)).toEqual({ ...snapshot(feb24, 12), takenAt: later(HOUR) });
  });
});
