import type { CasClient } from '../../cas/client';
import { CasError } from '../../cas/errors';
import { type CheckResult, fail, pass, skip, withTimeout } from './report';

type Read = [operation: string, call: (cas: CasClient) => Promise<unknown>];

/**
 * The deployment reads doctor makes when DEPLOY_ENABLED=true, each harmless: the job list and the
 * contacts, and, when the account has a deployment job, the reads a tracked job makes of it. The
 * writes (CreateDeploymentJob, UpdateDeploymentJobStatus, UpdateWorkerResourceStatus) have no
 * harmless form and are named in a skipped line.
 */
export async function deploymentReads(
  cas: CasClient,
  check: string,
): Promise<{ reads: Read[]; skipped: CheckResult[] }> {
  const reads: Read[] = [
    ['ListDeploymentJob', (c) => c.listDeploymentJobPage({ pageSize: 1 }, 1)],
    ['ListContact', (c) => c.listContactPage({ pageSize: 1 }, 1)],
  ];
  let jobId: number | undefined;
  try {
    jobId = (await withTimeout(cas.listDeploymentJobPage({ pageSize: 1 }, 1))).Data[0]?.Id;
  } catch {
    // Reported by the ListDeploymentJob read itself.
  }
  const skipped: CheckResult[] = [];
  if (jobId === undefined)
    skipped.push(
      skip(
        check,
        'DescribeDeploymentJob (yundun-cert:DescribeDeployment), DescribeDeploymentJobStatus and ListWorkerResource not checked: the account has no deployment job yet',
      ),
    );
  else
    reads.push(
      ['DescribeDeploymentJob', (c) => c.describeDeploymentJob(jobId)],
      ['DescribeDeploymentJobStatus', (c) => c.describeDeploymentJobStatus(jobId)],
      ['ListWorkerResource', (c) => c.listWorkerResourcePage(jobId, { pageSize: 1 }, 1)],
    );
  skipped.push(
    skip(
      check,
      'CreateDeploymentJob, UpdateDeploymentJobStatus and UpdateWorkerResourceStatus not checked (writes); deployments need yundun-cert:CreateDeploymentJob, yundun-cert:UpdateDeploymentJobStatus and yundun-cert:UpdateWorkerResourceStatus',
    ),
  );
  return { reads, skipped };
}

/**
 * The contacts a job would notify: each of DEPLOY_CONTACT_IDS listed by ListContact, or (unset)
 * the first contact, which the bot then uses.
 */
export async function checkDeploymentContacts(
  cas: CasClient,
  check: string,
  contactIds: readonly string[],
): Promise<CheckResult> {
  let contacts: Awaited<ReturnType<CasClient['listContacts']>>;
  try {
    contacts = await withTimeout(cas.listContacts());
  } catch (error) {
    const why = error instanceof CasError ? error.code : 'no answer';
    return skip(check, `deployment contacts not checked (ListContact failed: ${why})`);
  }
  const known = new Set(contacts.map((c) => String(c.ContactId)));
  if (contactIds.length === 0) {
    const first = contacts[0];
    if (!first)
      return fail(
        check,
        'no CAS contact for deployment jobs (ListContact lists none)',
        'add a contact in the CAS console (Certificate Management Service, contacts), or set DEPLOY_CONTACT_IDS',
      );
    return pass(
      check,
      `deployment jobs notify contact ${first.ContactId}${first.Name ? ` (${first.Name})` : ''}, the first ListContact lists (DEPLOY_CONTACT_IDS unset)`,
    );
  }
  const missing = contactIds.filter((id) => !known.has(id.replace(/^0+(?=\d)/, '')));
  if (missing.length > 0)
    return fail(
      check,
      `DEPLOY_CONTACT_IDS names ${missing.length === 1 ? 'a contact' : 'contacts'} CAS does not list: ${missing.join(', ')}`,
      'correct DEPLOY_CONTACT_IDS to ContactId values of `ListContact` (the CAS console lists them)',
    );
  return pass(check, `deployment contacts ${contactIds.join(', ')} found`);
}
