import type { CallPriority, CasApi } from '../cas/types';
import { type Certificate, certificateFromOrder } from '../domain/certificate';
import { type DeploymentTarget, type PlanOutcome, planDeployment } from '../domain/deployment-plan';
import type { InventoryCertificate } from '../domain/replacement';
import { deployedResourceFromRow } from '../inventory/resource-row';

/** What a deployment plan is built from; the CLI, a request and an approval pass the same. */
export interface PlanDeps {
  /**
   * The account's certificates: the inventory when it is fresh enough (`live: false`), else CAS's
   * listing. A certificate that is in neither is unknown.
   */
  certificates(account: string, now: Date): Promise<{ certificates: readonly InventoryCertificate[]; live: boolean }>;
  cas: CasApi;
}

const RESOURCE_PAGE_SIZE = 50;

/**
 * Every resource serving one of `certificateIds` now: ListCloudResources filtered by CertIds,
 * every page. Live, never from the inventory: what a job deploys to must be what CAS says today.
 */
export async function resourcesServing(
  cas: Pick<CasApi, 'listCloudResourcePage'>,
  account: string,
  certificateIds: readonly string[],
  priority: CallPriority = 'interactive',
): Promise<DeploymentTarget[]> {
  const page = (n: number) =>
    cas.listCloudResourcePage(n, { pageSize: RESOURCE_PAGE_SIZE, priority, certIds: certificateIds });
  const first = await page(1);
  const pages = Math.max(1, Math.ceil(first.Total / RESOURCE_PAGE_SIZE));
  const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
  return [first, ...rest].flatMap((result) =>
    result.Data.map((row) => {
      const { account: _account, https: _https, ...target } = deployedResourceFromRow(row, account);
      return target;
    }),
  );
}

const isCertificate = (id: string) => (c: Certificate) => c.id === id || c.certificateId === id;

/**
 * The valid certificates CAS lists for a name now (ListUserCertificateOrder's Keyword): a
 * renewal issued since the last inventory sync is a candidate too.
 */
async function candidatesFor(
  cas: Pick<CasApi, 'listCertificates'>,
  old: Certificate,
  account: string,
  priority: CallPriority,
): Promise<Certificate[]> {
  const keyword = (old.commonName ?? old.sans[0])?.replace(/^\*\./, '');
  if (!keyword) return [];
  const found: Certificate[] = [];
  for await (const row of cas.listCertificates({ orderType: 'CERT', keyword, priority }))
    found.push(certificateFromOrder(row, account));
  return found;
}

/**
 * The plan for deploying the replacement of `certificateId` in `account`: the replacement the
 * bot infers from the account's certificates (the inventory, with what CAS lists for the old
 * certificate's name now), and the resources serving the old certificate as CAS lists them now.
 * Nothing is written.
 */
export async function loadDeploymentPlan(
  deps: PlanDeps,
  input: { account: string; certificateId: string; now: Date; priority?: CallPriority },
): Promise<PlanOutcome> {
  const priority = input.priority ?? 'interactive';
  const known = await deps.certificates(input.account, input.now);
  let { certificates } = known;
  const { live } = known;
  // Which certificate: the inventory's answer (fresh enough, or the caller would have listed live).
  // Listing every certificate of CAS to look for one ID costs minutes in a large account.
  const old = certificates.find(isCertificate(input.certificateId));
  if (!old) return { noPlan: { kind: 'unknown-certificate', certificateId: input.certificateId } };
  if (!live) {
    const fresh = await candidatesFor(deps.cas, old, input.account, priority);
    const known = new Set(certificates.map((c) => c.id));
    certificates = [...certificates, ...fresh.filter((c) => !known.has(c.id))];
  }
  const resources = await resourcesServing(deps.cas, input.account, [old.certificateId ?? old.id], priority);
  return planDeployment({
    account: input.account,
    certificateId: input.certificateId,
    certificates,
    resources,
    now: input.now,
  });
}
