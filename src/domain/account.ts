/** The name certificates are filed under when one account is configured from the environment. */
export const DEFAULT_ACCOUNT = 'default';

/**
 * What an account name may be: a short lowercase word, letters, digits and '-', starting with a
 * letter, at most 32 characters (`prod`, `cn-shop-2`). It names the account in Slack, in the
 * store and in `account:NAME` alert routes, so it stays easy to type.
 */
export const ACCOUNT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** Whether `value` is a valid account name (see ACCOUNT_NAME_PATTERN). */
export function isAccountName(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_NAME_PATTERN.test(value);
}
