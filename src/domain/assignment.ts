/** The rules of /cert-assign (AssignCertificateCount): what an assignment may be. Pure. */

/** Upper bound on one assignment, so a typo (an extra zero or two) is caught before the confirmation. */
export const MAX_ASSIGN_COUNT = 100_000;
/** How long a confirmation may wait for its Confirm. */
export const ASSIGN_CONFIRMATION_TTL_MS = 15 * 60_000;

export interface Assignment {
  /** The data source ID as exact decimal digits: IDs beyond 2^53 must not be rounded. */
  dataSourceId: string;
  count: number;
}

/** The assignment typed as `<data-source-id> <count>`, or what is wrong with it. */
export function parseAssignment(words: readonly unknown[]): Assignment | string {
  if (words.length !== 2) return 'Give exactly two numbers: the data source ID and the certificate count.';
  const [idText, countText] = words.map((word) => String(word ?? ''));
  if (!/^\d{1,18}$/.test(idText) || /^0+$/.test(idText))
    return `"${idText.slice(0, 40)}" is not a data source ID (a positive whole number, e.g. 33285).`;
  if (!/^\d{1,9}$/.test(countText) || Number(countText) <= 0 || Number(countText) > MAX_ASSIGN_COUNT)
    return `"${countText.slice(0, 40)}" is not a certificate count (a whole number from 1 to ${MAX_ASSIGN_COUNT}).`;
  // Leading zeros are dropped so "033285" and "33285" name the same data source.
  return { dataSourceId: idText.replace(/^0+/, ''), count: Number(countText) };
}
