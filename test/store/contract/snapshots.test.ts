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

describeContract('snapshot history contract', ({ store }) => {
  const snapshot = (period: string, totalRisk: number, point?: number): DigestSnapshot => ({
    period,
    takenAt: new Date(period),
    point,
    risks: { expired: totalRisk, expiring: 2, stale: 1 },
    totalRisk,
  });
  const weeks = ['2025-02-10', '2025-02-17', '2025-02-24', '2025-03-03'].map((d) => `${d}T09:00:00.000Z`);

  test('the last N snapshots, oldest first', async () => {
    const snapshots = store().snapshots;
    expect(await snapshots.history(12)).toEqual([]);
    for (const [i, week] of [...weeks].reverse().entries()) await snapshots.saveSnapshot(snapshot(week, i, 80 + i));
    expect((await snapshots.history(3)).map((s) => s.period)).toEqual(weeks.slice(1));
    expect((await snapshots.history(12)).map((s) => s.totalRisk)).toEqual([3, 2, 1, 0]);
  });

  test("each account's snapshots are kept apart, replaced per period, oldest first", async () => {
    const snapshots = store().snapshots;
    for (const [i, week] of weeks.entries()) {
      await snapshots.saveAccountSnapshot('prod', snapshot(week, i, 70 + i));
      await snapshots.saveAccountSnapshot('staging', snapshot(week, 10 + i));
    }
    await snapshots.saveAccountSnapshot('prod', snapshot(weeks[3], 99, 50));
    expect((await snapshots.accountHistory('prod', 2)).map((s) => [s.period, s.totalRisk, s.point])).toEqual([
      [weeks[2], 2, 72],
      [weeks[3], 99, 50],
    ]);
    expect((await snapshots.accountHistory('staging', 12)).map((s) => s.totalRisk)).toEqual([10, 11, 12, 13]);
    expect(await snapshots.accountHistory('nobody', 12)).toEqual([]);
    // The all-accounts history is not mixed with them.
    expect(await snapshots.history(12)).toEqual([]);
  });
});
