import {
  alertThresholds,
  DEFAULT_ALERT_DAYS,
  dueThreshold,
  EXPIRY_DAY,
  thresholdLabel,
  type AlertState,
} from '../../src/domain/alerts';

const NOW = new Date(Date.UTC(2026, 4, 20, 10, 0));
const THRESHOLDS = alertThresholds(DEFAULT_ALERT_DAYS);
const hours = (offset: number) => new Date(NOW.getTime() + offset * 3_600_000);

function due(daysLeft: number | undefined, announced: number[] = [], state?: AlertState, now = NOW) {
  return dueThreshold({ daysLeft, thresholds: THRESHOLDS, announced: new Set(announced), state, now });
}

describe('alertThresholds', () => {
  test('the defaults, most distant first, with the expiry day', () => {
    expect(THRESHOLDS).toEqual([30, 14, 7, 3, 1, 0]);
    expect(EXPIRY_DAY).toBe(0);
  });

  test('any order, repeats dropped, the expiry day added once', () => {
    expect(alertThresholds([1, 60, 7, 7, 90])).toEqual([90, 60, 7, 1, 0]);
    expect(alertThresholds([3, 0])).toEqual([3, 0]);
    expect(alertThresholds([])).toEqual([0]);
  });

  test('does not change its input', () => {
    const days = [1, 30, 7];
    alertThresholds(days);
    expect(days).toEqual([1, 30, 7]);
  });
});

describe('dueThreshold', () => {
  test('nothing before the first threshold', () => {
    expect(due(31)).toBeUndefined();
    expect(due(365)).toBeUndefined();
  });

  test('a threshold is crossed when days left reach it', () => {
    expect(due(30)).toBe(30);
    expect(due(29, [30])).toBeUndefined();
    expect(due(14, [30])).toBe(14);
  });

  test('first seen with 5 days left: the 7-day alert only', () => {
    expect(due(5)).toBe(7);
    expect(due(5, [7])).toBeUndefined();
    expect(due(4, [7])).toBeUndefined();
  });

  test('moved from 8 to 6 days left: the 7-day alert, once', () => {
    expect(due(8, [30, 14])).toBeUndefined();
    expect(due(6, [30, 14])).toBe(7);
    expect(due(6, [30, 14, 7])).toBeUndefined();
  });

  test('a skipped threshold is not announced late', () => {
    // 30 was announced, the bot was down while 14 and 7 were crossed: only 3 now.
    expect(due(2, [30])).toBe(3);
    expect(due(2, [30, 3])).toBeUndefined();
  });

  test('expired long ago and never announced: the expiry day', () => {
    expect(due(-40)).toBe(EXPIRY_DAY);
    expect(due(0, [30, 14, 7, 3, 1])).toBe(EXPIRY_DAY);
    expect(due(-1, [0])).toBeUndefined();
  });

  test('acknowledged: 3 and 1 are muted, the expiry day is not', () => {
    const acknowledged: AlertState = { acknowledgedAt: hours(-1), acknowledgedBy: 'U012ALICE' };
    expect(due(3, [30, 14, 7], acknowledged)).toBeUndefined();
    expect(due(1, [30, 14, 7], acknowledged)).toBeUndefined();
    expect(due(0, [30, 14, 7], acknowledged)).toBe(EXPIRY_DAY);
    expect(due(-2, [30, 14, 7], acknowledged)).toBe(EXPIRY_DAY);
    expect(due(0, [30, 14, 7, 0], acknowledged)).toBeUndefined();
  });

  test('snoozed: nothing until the snooze ends, then the most urgent threshold crossed meanwhile', () => {
    const snoozed: AlertState = { snoozedUntil: hours(24), snoozedBy: 'U012BOB' };
    expect(due(6, [30, 14], snoozed)).toBeUndefined();
    expect(due(0, [30, 14], snoozed)).toBeUndefined();
    // One hour before it ends, still held; at the end and after, due again.
    expect(due(2, [30, 14, 7], snoozed, hours(23))).toBeUndefined();
    expect(due(2, [30, 14, 7], snoozed, hours(24))).toBe(3);
    expect(due(2, [30, 14, 7], snoozed, hours(25))).toBe(3);
    expect(due(2, [30, 14, 7, 3], snoozed, hours(25))).toBeUndefined();
  });

  test('a snooze holds even the expiry day; an acknowledgement and an ended snooze together still mute 1', () => {
    expect(due(0, [], { snoozedUntil: hours(1) })).toBeUndefined();
    expect(due(1, [], { acknowledgedAt: hours(-48), snoozedUntil: hours(-24) })).toBeUndefined();
    expect(due(0, [], { acknowledgedAt: hours(-48), snoozedUntil: hours(-24) })).toBe(EXPIRY_DAY);
  });

  test('unknown days left: nothing', () => {
    expect(due(undefined)).toBeUndefined();
    expect(due(Number.NaN)).toBeUndefined();
  });

  test('custom thresholds in any order', () => {
    const announced = new Set<number>([90]);
    expect(dueThreshold({ daysLeft: 50, thresholds: [7, 90, 60, 0], announced, now: NOW })).toBe(60);
    expect(dueThreshold({ daysLeft: 50, thresholds: alertThresholds([]), announced, now: NOW })).toBeUndefined();
  });
});

test('thresholdLabel', () => {
  expect(thresholdLabel(7)).toBe('the 7-day threshold');
  expect(thresholdLabel(1)).toBe('the 1-day threshold');
  expect(thresholdLabel(EXPIRY_DAY)).toBe('the expiry day');
});
