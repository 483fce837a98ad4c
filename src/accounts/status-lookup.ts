import type { CasApi, CertificateStatus } from '../cas/types';
import { type AccountFailure, accountFailure } from './account-failure';
import { fanOut } from './fan-out';

export type AccountStatus = CertificateStatus & { account?: string };

/**
 * Revocation status of serials across accounts. A serial belongs to one account, so the first
 * account that knows it (good, revoked, or any other answer than unknown) gives its answer,
 * tagged with the account; it is unknown only when every account that answered says so. An
 * account that fails, or (with several) takes longer than `timeoutMs`, is reported and the
 * others still answer; when every account fails the lookup fails with the first one's error.
 */
export async function lookUpStatus(
  accounts: ReadonlyArray<{ name: string; cas: Pick<CasApi, 'getCertificateStatus'> }>,
  serials: readonly string[],
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<{ results: AccountStatus[]; failures: AccountFailure[] }> {
  // Each lookup is its own load(); each account's client batches them into one upstream call.
  const answers = await fanOut(
    accounts,
    ({ cas }) => Promise.all(serials.map((serial) => cas.getCertificateStatus(serial))),
    accounts.length > 1 ? timeoutMs : Number.POSITIVE_INFINITY,
  );
  const failures: AccountFailure[] = [];
  for (const answer of answers) if ('error' in answer) failures.push(accountFailure(answer.account.name, answer.error));
  if (failures.length === accounts.length) throw (answers[0] as { error: unknown }).error;
  const tag = accounts.length > 1;
  const results = serials.map((serial, index): AccountStatus => {
    let unknown: AccountStatus | undefined;
    for (const [i, result] of answers.entries()) {
      if (!('value' in result)) continue;
      const answer = result.value[index];
      if (String(answer.Status).toLowerCase() !== 'unknown')
        return tag ? { ...answer, account: accounts[i].name } : answer;
      unknown ??= answer;
    }
    return unknown ?? { SerialNumber: serial, Status: 'unknown' };
  });
  return { results, failures };
}
