import type { AccountRisk } from '../domain/risk';
import { DEFAULT_ACCOUNT } from '../domain/account';
import { formatNumber } from './format';
import { CAS_COUNTERS_LABEL, type InventoryCounts } from './inventory-counts';

/** An account's CAS figures with, when its inventory was synced, the bot's own counts. */
export type AccountRow = AccountRisk & { inventory?: InventoryCounts };

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

/** CAS's figures of an account: `health score 85 · 12 in all · 3 expired · 9 expiring` (no inventory count). */
export function describeCasCounters(risk: Omit<AccountRisk, 'account'>): string {
  return [
    risk.point === undefined ? 'health score n/a' : `health score ${formatNumber(risk.point)}`,
    `${formatNumber(risk.atRisk)} in all`,
    `${formatNumber(risk.expired)} expired`,
    `${formatNumber(risk.expiring)} expiring`,
  ].join(' · ');
}

/**
 * CAS's figures of an account, labelled as CAS's: `CAS risk counters (certificates, resources and
 * domains): health score 85 · 12 in all · 3 expired · 9 expiring`. The bot's own counts (stale
 * deployments among them) come from the inventory and are said apart (inventoryHeadline).
 */
export function describeAccountRisk(risk: Omit<AccountRisk, 'account'>): string {
  return `${CAS_COUNTERS_LABEL}: ${describeCasCounters(risk)}`;
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
