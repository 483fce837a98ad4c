import { type AlertHours, insideAlertHours, parseAlertHours } from '../../src/domain/alert-hours';

const WORKDAY = parseAlertHours('09:00-20:00') as AlertHours;
const at = (iso: string) => new Date(iso);

describe('parseAlertHours', () => {
  it.each([
    ['09:00-20:00', { startMinute: 540, endMinute: 1200 }],
    ['00:00-24:00', { startMinute: 0, endMinute: 1440 }],
    [' 9:30 - 17:45 ', { startMinute: 570, endMinute: 1065 }],
    ['23:59-24:00', { startMinute: 1439, endMinute: 1440 }],
  ])('%s', (text, expected) => {
    expect(parseAlertHours(text)).toEqual(expected);
  });

  it.each([
    ['', /HH:MM-HH:MM/],
    ['always', /HH:MM-HH:MM/],
    ['9-17', /HH:MM-HH:MM/],
    ['09:00', /HH:MM-HH:MM/],
    ['09:00-20:00-21:00', /HH:MM-HH:MM/],
    ['09.00-20.00', /HH:MM-HH:MM/],
    ['09:60-20:00', /minutes 00 to 59/],
    ['25:00-26:00', /hours 00 to 24/],
    ['09:00-24:30', /24:00 only as the end/],
    ['24:00-24:00', /24:00 can only be the end/],
    ['20:00-09:00', /start must be before the end/],
    ['09:00-09:00', /start must be before the end/],
  ])('%s is refused', (text, message) => {
    const result = parseAlertHours(text);
    expect(typeof result).toBe('string');
    expect(result).toMatch(message);
  });
});

describe('insideAlertHours', () => {
  test('inside and outside, start included, end excluded', () => {
    expect(insideAlertHours(WORKDAY, 'UTC', at('2026-05-20T08:59:59Z'))).toBe(false);
    expect(insideAlertHours(WORKDAY, 'UTC', at('2026-05-20T09:00:00Z'))).toBe(true);
    expect(insideAlertHours(WORKDAY, 'UTC', at('2026-05-20T14:00:00Z'))).toBe(true);
    expect(insideAlertHours(WORKDAY, 'UTC', at('2026-05-20T19:59:59Z'))).toBe(true);
    expect(insideAlertHours(WORKDAY, 'UTC', at('2026-05-20T20:00:00Z'))).toBe(false);
    expect(insideAlertHours(WORKDAY, 'UTC', at('2026-05-20T00:00:00Z'))).toBe(false);
  });

  test('the same instant in different time zones', () => {
    const instant = at('2026-05-20T02:30:00Z');
    expect(insideAlertHours(WORKDAY, 'UTC', instant)).toBe(false);
    expect(insideAlertHours(WORKDAY, 'Asia/Shanghai', instant)).toBe(true); // 10:30
    expect(insideAlertHours(WORKDAY, 'Asia/Kolkata', instant)).toBe(false); // 08:00
    expect(insideAlertHours(WORKDAY, 'Asia/Kolkata', at('2026-05-20T03:30:00Z'))).toBe(true); // 09:00
    expect(insideAlertHours(WORKDAY, 'America/Los_Angeles', instant)).toBe(true); // 19:30 the day before
    expect(insideAlertHours(WORKDAY, 'America/Los_Angeles', at('2026-05-20T03:00:00Z'))).toBe(false); // 20:00
  });

  test('the window follows a daylight saving change (Europe/Berlin, 29 March 2026)', () => {
    // 07:30 UTC is 08:30 CET the day before the change, 09:30 CEST the day after.
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-03-28T07:30:00Z'))).toBe(false);
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-03-29T07:30:00Z'))).toBe(true);
    // 18:30 UTC is 19:30 CET before, 20:30 CEST after.
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-03-28T18:30:00Z'))).toBe(true);
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-03-29T18:30:00Z'))).toBe(false);
    // And back in autumn (25 October 2026): 08:30 UTC is 10:30 CEST before, 09:30 CET after; 07:30 UTC 08:30 CET.
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-10-24T07:30:00Z'))).toBe(true);
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-10-25T07:30:00Z'))).toBe(false);
    expect(insideAlertHours(WORKDAY, 'Europe/Berlin', at('2026-10-25T08:30:00Z'))).toBe(true);
  });

  test('00:00-24:00 is always', () => {
    const always = parseAlertHours('00:00-24:00') as AlertHours;
    for (const iso of ['2026-05-20T00:00:00Z', '2026-05-20T23:59:59Z', '2026-05-20T12:00:00Z'])
      for (const zone of ['UTC', 'Asia/Shanghai', 'Pacific/Kiritimati', 'America/St_Johns'])
        expect(insideAlertHours(always, zone, at(iso))).toBe(true);
  });

  test('a window ending at 24:00 includes the last minute of the day; one starting at 00:00 includes midnight', () => {
    const evening = parseAlertHours('18:00-24:00') as AlertHours;
    expect(insideAlertHours(evening, 'UTC', at('2026-05-20T23:59:00Z'))).toBe(true);
    expect(insideAlertHours(evening, 'UTC', at('2026-05-21T00:00:00Z'))).toBe(false);
    const night = parseAlertHours('00:00-06:00') as AlertHours;
    expect(insideAlertHours(night, 'Asia/Tokyo', at('2026-05-20T15:00:00Z'))).toBe(true); // 00:00 JST
    expect(insideAlertHours(night, 'Asia/Tokyo', at('2026-05-20T21:00:00Z'))).toBe(false); // 06:00 JST
  });

  test('an unknown time zone is an error, not a silent "never"', () => {
    expect(() => insideAlertHours(WORKDAY, 'Mars/Olympus_Mons', at('2026-05-20T12:00:00Z'))).toThrow(RangeError);
  });
});
