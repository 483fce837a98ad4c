import { parseSerials } from '../../src/domain/serials';

describe('parseSerials', () => {
  it('splits on spaces and commas, uppercases, drops colons', () => {
    expect(parseSerials('0a:1b:2c, deadBEEF  ,123\n456\tabc')).toEqual({
      serials: ['0A1B2C', 'DEADBEEF', '123', '456', 'ABC'],
      invalid: [],
    });
  });

  it('merges duplicates in input order, whatever their case or colons', () => {
    expect(parseSerials('ab:cd ABCD abcd ef ab:cd').serials).toEqual(['ABCD', 'EF']);
  });

  it('accepts a leading 0x', () => {
    expect(parseSerials('0x1F 0XAB').serials).toEqual(['1F', 'AB']);
  });

  it('gives empty results for empty input', () => {
    expect(parseSerials('')).toEqual({ serials: [], invalid: [] });
    expect(parseSerials(' , ,, ')).toEqual({ serials: [], invalid: [] });
  });

  it('reports invalid tokens with a reason', () => {
    const { serials, invalid } = parseSerials(`12 xyz ${'a'.repeat(65)} :: 0x G1 ${'b'.repeat(64)}`);
    expect(serials).toEqual(['12', 'B'.repeat(64)]);
    expect(invalid).toEqual([
      { token: 'xyz', reason: 'not hexadecimal (only 0-9 and A-F allowed)' },
      { token: 'a'.repeat(65), reason: 'too long (at most 64 hex digits)' },
      { token: '::', reason: 'empty' },
      { token: '0x', reason: 'empty' },
      { token: 'G1', reason: 'not hexadecimal (only 0-9 and A-F allowed)' },
    ]);
  });

  it('does not repeat the same invalid token', () => {
    expect(parseSerials('zz zz zz').invalid).toEqual([
      { token: 'zz', reason: 'not hexadecimal (only 0-9 and A-F allowed)' },
    ]);
  });

  it('looks up at most 50 and says so for each one beyond', () => {
    const input = Array.from({ length: 53 }, (_, i) => (i + 1).toString(16)).join(' ');
    const { serials, invalid } = parseSerials(`${input} 1 2`);
    expect(serials).toHaveLength(50);
    expect(serials[49]).toBe('32');
    expect(invalid).toEqual(
      ['33', '34', '35'].map((token) => ({
        token,
        reason: 'too many serials: at most 50 a request; this one was not looked up',
      })),
    );
  });

  it('honours a smaller max', () => {
    const { serials, invalid } = parseSerials('1 2 3', { max: 2 });
    expect(serials).toEqual(['1', '2']);
    expect(invalid[0]).toEqual({
      token: '3',
      reason: 'too many serials: at most 2 a request; this one was not looked up',
    });
  });
});
