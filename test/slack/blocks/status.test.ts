import { renderStatusResults } from '../../../src/slack/blocks/status';
import { allText, NOW } from '../../helpers/block-fixtures';
import { assertWithinBlockKitLimits } from '../../helpers/limits-checker';

describe('renderStatusResults', () => {
  const results = [
    { SerialNumber: '0A1B2C', Status: 'good' },
    { SerialNumber: 'DEADBEEF', Status: 'revoked', RevokeTime: Date.UTC(2025, 0, 1, 8, 15) },
    { SerialNumber: '0123456789ABCDEF', Status: 'unknown' },
  ];

  it('shows one line per serial, revoked first, with the revocation time in UTC', () => {
    const message = renderStatusResults({ results, invalid: [], now: NOW });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(message.text).toBe('3 certificates: 1 good, 1 revoked, 1 unknown.');
    expect(text).toContain(
      '*3 certificates:*  :white_check_mark: 1 good  ·  :no_entry: 1 revoked  ·  :grey_question: 1 unknown',
    );
    const lines = text.split('\n');
    const revoked = lines.findIndex((line) => line.includes('`DEADBEEF`'));
    const good = lines.findIndex((line) => line.includes('`0A1B2C`'));
    expect(lines[revoked]).toBe(
      ':no_entry: `DEADBEEF` *revoked* on <!date^1735719300^{date_short_pretty} {time}|2025-01-01 08:15 UTC>',
    );
    expect(lines[good]).toBe(':white_check_mark: `0A1B2C` good');
    expect(text).toContain(':grey_question: `0123456789ABCDEF` unknown');
    expect(revoked).toBeLessThan(good);
    expect(text).toContain('Checked <!date^1741599000^{date_short_pretty} {time}|2025-03-10 09:30 UTC>');
  });

  it('reads RevokeTime given as a string, and shows other statuses as they are', () => {
    const text = allText(
      renderStatusResults({
        results: [
          { SerialNumber: 'AA', Status: 'revoked', RevokeTime: '2021-01-01T00:00' },
          { SerialNumber: 'BB', Status: 'revoked' },
          { SerialNumber: 'CC', Status: 'on_hold<x>' },
        ],
        invalid: [],
        now: NOW,
      }),
    );
    expect(text).toContain('`AA` *revoked* on <!date^1609459200^{date_short_pretty} {time}|2021-01-01 00:00 UTC>');
    expect(text).toContain(':no_entry: `BB` *revoked*\n');
    expect(text).toContain(':grey_question: `CC` on_hold&lt;x&gt;');
  });

  it('lists what was not looked up, with the reason', () => {
    const message = renderStatusResults({
      results: results.slice(0, 1),
      invalid: [{ token: 'xyz<', reason: 'not hexadecimal (only 0-9 and A-F allowed)' }],
      now: NOW,
    });
    assertWithinBlockKitLimits(message);
    expect(message.text).toBe('1 certificate: 1 good. 1 input not looked up.');
    expect(allText(message)).toContain(
      ':warning: *Not looked up (1)*\n`xyz&lt;` — not hexadecimal (only 0-9 and A-F allowed)',
    );
  });

  it('answers when nothing could be looked up', () => {
    const message = renderStatusResults({ results: [], invalid: [{ token: 'q', reason: 'empty' }], now: NOW });
    assertWithinBlockKitLimits(message);
    expect(message.text).toBe('No certificates checked: 1 input not looked up.');
    const none = renderStatusResults({ results: [], invalid: [], now: NOW });
    assertWithinBlockKitLimits(none);
    expect(none.text).toBe('No serial numbers to check.');
  });

  it('cuts long lists with "…and N more"', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      SerialNumber: i.toString(16).padStart(40, '0'),
      Status: 'good',
    }));
    const invalid = Array.from({ length: 300 }, (_, i) => ({ token: `bad${i}`, reason: 'not hexadecimal' }));
    const message = renderStatusResults({ results: many, invalid, now: NOW });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(text).toMatch(/…and 4\d\d more/);
    expect(text).toMatch(/…and 2\d\d more/);
    expect(message.text).toBe('500 certificates: 500 good. 300 inputs not looked up.');
  });

  it('shows all 50 serials of a full request, even revoked 64-digit ones', () => {
    const full = Array.from({ length: 50 }, (_, i) => ({
      SerialNumber: i.toString(16).padStart(64, 'F'),
      Status: 'revoked',
      RevokeTime: Date.UTC(2025, 0, 1),
    }));
    const message = renderStatusResults({ results: full, invalid: [], now: NOW });
    assertWithinBlockKitLimits(message);
    const text = allText(message);
    expect(text).not.toContain('more');
    for (const result of full)
      expect(text).toContain(
        `\`${result.SerialNumber}\` *revoked* on <!date^1735689600^{date_short_pretty} {time}|2025-01-01 00:00 UTC>`,
      );
  });

  it('groups what was not looked up by reason', () => {
    const invalid = [
      { token: 'xyz', reason: 'not hexadecimal (only 0-9 and A-F allowed)' },
      { token: '33', reason: 'too many serials: at most 50 a request; this one was not looked up' },
      { token: 'G1', reason: 'not hexadecimal (only 0-9 and A-F allowed)' },
      { token: '34', reason: 'too many serials: at most 50 a request; this one was not looked up' },
    ];
    const text = allText(renderStatusResults({ results: [], invalid, now: NOW }));
    expect(text).toContain(
      ':warning: *Not looked up (4)*\n`xyz`, `G1` — not hexadecimal (only 0-9 and A-F allowed)\n`33`, `34` — too many serials',
    );
  });

  it('matches the snapshot', () => {
    expect(
      renderStatusResults({
        results,
        invalid: [{ token: 'xyz', reason: 'not hexadecimal (only 0-9 and A-F allowed)' }],
        now: NOW,
      }),
    ).toMatchSnapshot();
  });
});
