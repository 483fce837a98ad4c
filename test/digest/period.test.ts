import { periodAt } from '../../src/digest/period';

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
});
