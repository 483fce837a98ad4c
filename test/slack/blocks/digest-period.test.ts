import { coveredInterval, lateNote, periodTitle, renderDigest } from '../../../src/slack/blocks/digest';
import { periodAt } from '../../../src/jobs/period';
import { assets, risk } from '../../helpers/block-fixtures';

/** A digest covers the week that ended at its scheduled time, and says when it was posted late. */

const trigger = { cron: '0 9 * * 1', timezone: 'UTC' };
const monday = new Date('2026-11-30T09:00:00Z');

test('the digest of Monday 30 Nov 09:00 covers 23 Nov – 30 Nov, also when built on the Tuesday after', () => {
  for (const builtAt of ['2026-11-30T09:00:05Z', '2026-12-01T14:00:00Z']) {
    const period = periodAt(trigger, new Date(builtAt));
    expect(period.start).toEqual(monday);
    expect(coveredInterval(period)).toEqual({ from: new Date('2026-11-23T09:00:00Z'), to: monday });
    expect(periodTitle(period)).toBe('23 Nov 2026 – 30 Nov 2026');
  }
});

test('a digest posted well after its scheduled time says it is a catch-up', () => {
  const period = periodAt(trigger, monday);
  expect(lateNote(period, new Date('2026-11-30T09:05:00Z'))).toBeUndefined();
  expect(lateNote(period, new Date('2026-12-01T14:00:00Z'))).toBe(
    'posted late: the bot was down at Monday 09:00 UTC (30 Nov 2026), when it was due',
  );
  const message = renderDigest({
    period,
    now: new Date('2026-12-01T14:00:00Z'),
    risk: risk(),
    assets: assets(),
    expiring: [],
    expired: [],
  });
  expect(message.text).toContain('Weekly certificate digest · 23 Nov 2026 – 30 Nov 2026');
  expect(message.text).toContain('posted late: the bot was down at Monday 09:00 UTC');
  expect(JSON.stringify(message.blocks)).toContain('posted late: the bot was down at Monday 09:00 UTC');
});
