import { accountFailure, type AccountFailure } from '../accounts/account-failure';
import { fanOut, firstError } from '../accounts/fan-out';
import type { AssetCount, CasApi, RiskCount } from '../cas/types';
import { type AccountRisk, accountRisk } from '../domain/risk';
import type { InventoryCounts } from '../render/inventory-counts';

/** One account's answer: CAS's counters and the bot inventory's counts of it (none before its first sync). */
export interface AccountRiskAnswer {
  account: string;
  risk: RiskCount;
  assets: AssetCount;
  summary: AccountRisk;
  inventory?: InventoryCounts;
}

/**
 * The risk of several accounts, as `/cert-risk` and `cert-bot risk` both show it: each account's
 * GetRiskCount and GetAssetCount, waited for at most `timeoutMs` (ACCOUNT_ANSWER_TIMEOUT_MS) so a
 * hanging account is named rather than waited for, with the inventory's counts of that account
 * (its stale deployments among them). Rejects with the first error when no account answered.
 */
export async function riskByAccount(
  accounts: ReadonlyArray<{ name: string; cas: Pick<CasApi, 'getRiskCount' | 'getAssetCount'> }>,
  inventoryOf: (account: string) => Promise<InventoryCounts | undefined>,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<{ answered: AccountRiskAnswer[]; failures: AccountFailure[] }> {
  const settled = await fanOut(
    accounts,
    async ({ name, cas }): Promise<AccountRiskAnswer> => {
      const [risk, assets, inventory] = await Promise.all([cas.getRiskCount(), cas.getAssetCount(), inventoryOf(name)]);
      const summary = accountRisk({ account: name, risk, assets, stale: inventory?.counts.stale ?? 0 });
      return { account: name, risk, assets, summary, inventory };
    },
    timeoutMs,
  );
  const answered = settled.flatMap((r) => ('value' in r ? [r.value] : []));
  const failures = settled.flatMap((r) => ('error' in r ? [accountFailure(r.account.name, r.error)] : []));
  if (answered.length === 0) throw firstError(settled);
  return { answered, failures };
}
