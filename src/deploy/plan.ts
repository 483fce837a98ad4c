import type { CallPriority, CasApi } from '../cas/types';
import type { Certificate } from '../domain/certificate';
import { type DeploymentTarget, type PlanOutcome, planDeployment } from '../domain/deployment-plan';
import type { InventoryCertificate } from '../domain/replacement';
import { deployedResourceFromRow } from '../inventory/resource-row';

/** What a deployment plan is built from; the CLI, a request and an approval pass the same. */
export interface PlanDeps {
  /** The account's certificates: the inventory when it has them, else CAS's listing. */
  certificates(account: string, now: Date): Promise<readonly (Certificate | InventoryCertificate)[]>;
  cas: Pick<CasApi, 'listCloudResourcePage'>;
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

/**
 * The plan for deploying the replacement of `certificateId` in `account`: the replacement the
 * bot infers from the account's certificates, and the resources serving the old certificate as
 * CAS lists them now. Nothing is written.
 */
export async function loadDeploymentPlan(
  deps: PlanDeps,
  input: { account: string; certificateId: string; now: Date; priority?: CallPriority },
): Promise<PlanOutcome> {
  const certificates = await deps.certificates(input.account, input.now);
  const known = certificates.some((c) => c.id === input.certificateId || c.certificateId === input.certificateId);
  // An unknown certificate needs no resource listing to be answered.
  const resources = known ? await resourcesServing(deps.cas, input.account, [input.certificateId], input.priority) : [];
  return planDeployment({
    account: input.account,
    certificateId: input.certificateId,
    certificates,
    resources,
    now: input.now,
  });
}
