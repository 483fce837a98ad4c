import { daysLeft, EXPIRING_SOON_DAYS, parseTime, urgency } from '../../src/domain/expiry';
import { describeDaysLeft, formatDelta, formatNumber, formatUtc, plural } from '../../src/render/format';
import { EMOJI, URGENCY_EMOJI } from '../../src/slack/blocks/emoji';
import { NOW } from '../helpers/block-fixtures';

describe('daysLeft', () => {
  it('counts UTC calendar days, negative once expired', () => {
    expect(daysLeft('2025-03-10', NOW)).toBe(0);
    expect(daysLeft('2025-03-11', NOW)).toBe(1);
    expect(daysLeft('2025-04-09', NOW)).toBe(30);
    expect(daysLeft('2025-03-07', NOW)).toBe(-3);
    expect(daysLeft('2026-03-10', NOW)).toBe(365);
  });

  it('uses the UTC date of now, not the local one', () => {
    expect(daysLeft('2025-03-11', new Date('2025-03-10T23:59:59Z'))).toBe(1);
    expect(daysLeft('2025-03-11', new Date('2025-03-11T00:00:00Z'))).toBe(0);
  });

  it('gives undefined for missing or malformed dates', () => {
    expect(daysLeft(undefined, NOW)).toBeUndefined();
    expect(daysLeft('', NOW)).toBeUndefined();
    expect(daysLeft('2025-02-30', NOW)).toBeUndefined();
    expect(daysLeft('next week', NOW)).toBeUndefined();
    expect(daysLeft('2025-03-12', new Date(Number.NaN))).toBeUndefined();
  });
});

describe('formatUtc and parseTime', () => {
  it('formats epoch milliseconds and strings as UTC', () => {
    expect(formatUtc(Date.UTC(2025, 0, 1, 8, 5))).toBe('2025-01-01 08:05 UTC');
    expect(formatUtc(String(Date.UTC(2025, 0, 1, 8, 5)))).toBe('2025-01-01 08:05 UTC');
    expect(formatUtc('2021-01-01T00:00')).toBe('2021-01-01 00:00 UTC');
    expect(formatUtc('2021-01-01 13:45:10')).toBe('2021-01-01 13:45 UTC');
    expect(formatUtc('2021-01-01T08:00:00+08:00')).toBe('2021-01-01 00:00 UTC');
    expect(formatUtc(NOW)).toBe('2025-03-10 09:30 UTC');
  });

  it('reads small numbers as epoch seconds and 0 as unknown', () => {
    expect(parseTime(1_735_689_600)).toBe(1_735_689_600_000);
    expect(parseTime(0)).toBeUndefined();
    expect(formatUtc('soon')).toBe('unknown time');
  });
});

describe('numbers', () => {
  it('formatDelta shows arrows', () => {
    expect(formatDelta(3)).toBe('▲ 3');
    expect(formatDelta(-2)).toBe('▼ 2');
    expect(formatDelta(0)).toBe('–');
    expect(formatDelta(undefined)).toBe('–');
  });

  it('formatNumber groups digits', () => {
    expect(formatNumber(1_234_567)).toBe('1,234,567');
    expect(formatNumber(2.345)).toBe('2.35');
    expect(formatNumber(Number.NaN)).toBe('?');
    expect(formatNumber(1e25)).toBe('1.00e+25');
  });

  it('describes days left and urgency', () => {
    expect(describeDaysLeft(-3)).toBe('expired 3 days ago');
    expect(describeDaysLeft(-1)).toBe('expired yesterday');
    expect(describeDaysLeft(0)).toBe('expires today');
    expect(describeDaysLeft(1)).toBe('expires tomorrow');
    expect(describeDaysLeft(12)).toBe('12 days left');
    expect(describeDaysLeft(undefined)).toBe('end date unknown');
    expect([urgency(-1), urgency(0), urgency(30), urgency(31), urgency(undefined), urgency(undefined, true)]).toEqual([
      'expired',
      'expiring',
      'expiring',
      'valid',
      'unknown',
      'expired',
    ]);
  });
});

describe('plural and the expiring window', () => {
  it('plural counts with grouped digits', () => {
    expect(plural(1, 'certificate')).toBe('1 certificate');
    expect(plural(1234, 'certificate')).toBe('1,234 certificates');
    expect(plural(2, 'item needs', 'items need')).toBe('2 items need');
  });

  it('expiring soon means within 30 days', () => {
    expect(EXPIRING_SOON_DAYS).toBe(30);
    expect(urgency(EXPIRING_SOON_DAYS)).toBe('expiring');
    expect(urgency(EXPIRING_SOON_DAYS + 1)).toBe('valid');
  });

  it('has one emoji per urgency', () => {
    expect(URGENCY_EMOJI).toEqual({
      expired: EMOJI.expired,
      expiring: EMOJI.expiring,
      valid: EMOJI.valid,
      unknown: EMOJI.unknown,
    });
    expect([EMOJI.expired, EMOJI.expiring, EMOJI.valid, EMOJI.unknown]).toEqual([
      ':red_circle:',
      ':large_orange_circle:',
      ':large_green_circle:',
      ':grey_question:',
    ]);
  });
});
