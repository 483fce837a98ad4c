import type { AccountRisk } from '../domain/risk';
import { DEFAULT_ACCOUNT } from '../domain/account';
import { formatNumber, plural } from './format';

/**
 * Account wording shared by Slack and the terminal: with several accounts every certificate
 * and every count says which account it belongs to. The one account made from the environment
 * (`default`) is never named, so a single-account bot reads as it always has.
 */
export function shownAccount(account: string | undefined): string | undefined {
  return account === undefined || account === DEFAULT_ACCOUNT ? undefined : account;
}

/** `[prod] ` before a certificate of a named account, for plain text. */
export function accountPrefix(account: string): string {
  const shown = shownAccount(account);
  return shown === undefined ? '' : `[${shown}] `;
}

/** `health score 85 · 12 at risk · 3 expired · 9 expiring · 1 stale deployment` */
export function describeAccountRisk(risk: Omit<AccountRisk, 'account'>): string {
  return [
    risk.point === undefined ? 'health score n/a' : `health score ${formatNumber(risk.point)}`,
    `${formatNumber(risk.atRisk)} at risk`,
    `${formatNumber(risk.expired)} expired`,
    `${formatNumber(risk.expiring)} expiring`,
    plural(risk.stale, 'stale deployment'),
  ].join(' · ');
}

/** Every account added up; the health score is the lowest account's. */
export function totalRisk(accounts: readonly AccountRisk[]): Omit<AccountRisk, 'account'> {
  const points = accounts.map((a) => a.point).filter((p): p is number => p !== undefined);
  const sum = (pick: (a: AccountRisk) => number) => accounts.reduce((total, a) => total + pick(a), 0);
  return {
    ...(points.length > 0 ? { point: Math.min(...points) } : {}),
    atRisk: sum((a) => a.atRisk),
    expired: sum((a) => a.expired),
    expiring: sum((a) => a.expiring),
    stale: sum((a) => a.stale),
  };
}
