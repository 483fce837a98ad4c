import { periodAt, periodsBefore } from '../../src/jobs/period';

describe('digest periods', () => {
  test('the default weekly schedule: Monday 09:00 to the next Monday', () => {
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date('2026-11-25T12:00:00Z'));
    expect(period.key).toBe('2026-11-23T09:00:00.000Z');
    expect(period.end.toISOString()).toBe('2026-11-30T09:00:00.000Z');
  });

  test('an occurrence exactly at `now` is its own period', () => {
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'UTC' }, new Date('2026-11-23T09:00:00.000Z'));
    expect(period.key).toBe('2026-11-23T09:00:00.000Z');
  });

  test('the time zone moves the scheduled instant', () => {
    const period = periodAt({ cron: '0 9 * * 1', timezone: 'Asia/Shanghai' }, new Date('2026-11-25T12:00:00Z'));
    expect(period.key).toBe('2026-11-23T01:00:00.000Z');
  });

  test('six-field expressions have seconds-level periods', () => {
    const period = periodAt({ cron: '*/5 * * * * *', timezone: 'UTC' }, new Date('2026-11-23T10:00:07.400Z'));
    expect(period.key).toBe('2026-11-23T10:00:05.000Z');
    expect(period.end.toISOString()).toBe('2026-11-23T10:00:10.000Z');
  });

  test('an interval trigger has epoch-aligned periods', () => {
    const period = periodAt({ everyMs: 3_600_000 }, new Date('2026-11-23T10:17:05.250Z'));
    expect(period.key).toBe('2026-11-23T10:00:00.000Z');
    expect(period.start.toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(period.end.toISOString()).toBe('2026-11-23T11:00:00.000Z');
    expect(periodAt({ everyMs: 3_600_000 }, new Date('2026-11-23T11:00:00.000Z')).key).toBe('2026-11-23T11:00:00.000Z');
  });

  test('periodsBefore walks back one period at a time, newest first', () => {
    const weekly = { cron: '0 9 * * 1', timezone: 'UTC' };
    const before = periodsBefore(weekly, new Date('2026-11-25T12:00:00Z'), 2);
    expect(before.map((period) => period.key)).toEqual(['2026-11-16T09:00:00.000Z', '2026-11-09T09:00:00.000Z']);
    expect(before[0].end.toISOString()).toBe('2026-11-23T09:00:00.000Z');
    expect(before[1].end.toISOString()).toBe(before[0].start.toISOString());
    expect(periodsBefore(weekly, new Date('2026-11-25T12:00:00Z'), 0)).toEqual([]);
  });
});
