/**
 * Parsing certificate serial numbers typed by a person (/cert-status, the CLI). Pure.
 * The caller removes its own keywords (such as `public`) before calling.
 */

export const MAX_SERIALS_PER_REQUEST = 50;
export const MAX_SERIAL_HEX_DIGITS = 64;

export interface InvalidSerial {
  /** The token as typed. */
  token: string;
  reason: string;
}

export interface ParsedSerials {
  /** Uppercase hex, colons (and a leading 0x) dropped, duplicates merged, in input order. */
  serials: string[];
  invalid: InvalidSerial[];
}

export const SERIAL_REASONS = {
  notHex: 'not hexadecimal (only 0-9 and A-F allowed)',
  tooLong: `too long (at most ${MAX_SERIAL_HEX_DIGITS} hex digits)`,
  empty: 'empty',
  tooMany: (max: number) => `too many serials: at most ${max} a request; this one was not looked up`,
} as const;

/**
 * Splits `input` on spaces and commas into serial numbers. Hex is case-insensitive; colons
 * (AB:CD:EF) and a leading 0x are allowed and dropped. Every unique serial beyond the `max`th
 * (default 50) is reported as invalid so the person knows it was not looked up.
 */
export function parseSerials(input: string, options: { max?: number } = {}): ParsedSerials {
  const max = Math.max(0, Math.floor(options.max ?? MAX_SERIALS_PER_REQUEST));
  const serials: string[] = [];
  const invalid: InvalidSerial[] = [];
  const seenSerials = new Set<string>();
  const seenInvalid = new Set<string>();
  const reject = (token: string, reason: string) => {
    const key = `${reason}\u0000${token}`;
    if (seenInvalid.has(key)) return;
    seenInvalid.add(key);
    invalid.push({ token, reason });
  };

  for (const token of String(input ?? '').split(/[\s,]+/)) {
    if (token === '') continue;
    let digits = token.replace(/:/g, '');
    if (/^0x/i.test(digits)) digits = digits.slice(2);
    if (digits === '') {
      reject(token, SERIAL_REASONS.empty);
    } else if (!/^[0-9a-f]+$/i.test(digits)) {
      reject(token, SERIAL_REASONS.notHex);
    } else if (digits.length > MAX_SERIAL_HEX_DIGITS) {
      reject(token, SERIAL_REASONS.tooLong);
    } else {
      const serial = digits.toUpperCase();
      if (seenSerials.has(serial)) continue;
      seenSerials.add(serial);
      if (serials.length < max) serials.push(serial);
      else reject(token, SERIAL_REASONS.tooMany(max));
    }
  }
  return { serials, invalid };
}
