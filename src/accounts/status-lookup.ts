import type { CasApi, CertificateStatus } from '../cas/types';
import { type AccountFailure, accountFailure } from './account-failure';

export type AccountStatus = CertificateStatus & { account?: string };

/**
 * Revocation status of serials across accounts. A serial belongs to one account, so the first
 * account that knows it (good, revoked, or any other answer than unknown) gives its answer,
 * tagged with the account; it is unknown only when every account that answered says so. An
 * account that fails is reported and the others still answer; when every account fails the
 * lookup fails with the first one's error.
 */
export async function lookUpStatus(
  accounts: ReadonlyArray<{ name: string; cas: Pick<CasApi, 'getCertificateStatus'> }>,
  serials: readonly string[],
): Promise<{ results: AccountStatus[]; failures: AccountFailure[] }> {
  // Each lookup is its own load(); each account's client batches them into one upstream call.
  const settled = await Promise.allSettled(
    accounts.map(({ cas }) => Promise.all(serials.map((serial) => cas.getCertificateStatus(serial)))),
  );
  const failures: AccountFailure[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'rejected') failures.push(accountFailure(accounts[i].name, result.reason));
  });
  if (failures.length === accounts.length) throw (settled[0] as PromiseRejectedResult).reason;
  const tag = accounts.length > 1;
  const results = serials.map((serial, index): AccountStatus => {
    let unknown: AccountStatus | undefined;
    for (const [i, result] of settled.entries()) {
      if (result.status !== 'fulfilled') continue;
      const answer = result.value[index];
      if (String(answer.Status).toLowerCase() !== 'unknown')
        return tag ? { ...answer, account: accounts[i].name } : answer;
      unknown ??= answer;
    }
    return unknown ?? { SerialNumber: serial, Status: 'unknown' };
  });
  return { results, failures };
}
