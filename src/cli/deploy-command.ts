import type { Command } from 'commander';
import { CasError } from '../cas/errors';
import { readDeploymentStatus } from '../deploy/job-status';
import { loadDeploymentPlan } from '../deploy/plan';
import { isDeploymentRequestId } from '../domain/deployment-job';
import { describeNoPlan, type PlanOutcome } from '../domain/deployment-plan';
import type { DeploymentRequest } from '../domain/deployment-request';
import { formatUtc } from '../render/format';
import { sqliteStoreExists } from '../store/sqlite-store';
import { planJson, planText, statusJson, statusText } from './deployment-view';
import type { Services } from '../services';
import { type Output, UsageError } from './output';
import { ACCOUNT_OPTION, type CliContext, withServices } from './context';

export function registerDeployCommand(program: Command, context: CliContext): void {
  const deploy = program
    .command('deploy')
    .description('Deployment of renewals (read-only here: deployments are requested and approved in Slack)');
  deploy
    .command('plan')
    .description('What a deployment request for a certificate would do: its replacement and every resource still on it')
    .argument('<old-id>', 'the ID of the certificate being replaced')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (certificateId: string, options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        context.exitCode = await deployPlanCommand(services, { ...options, certificateId }, output, context.now());
      });
    });
  deploy
    .command('status')
    .description('A deployment request or CAS deployment job: its progress and its failed resources')
    .argument('<job-id|request-id>', 'the deployment job ID (JobId), or the request ID of a request made in Slack')
    .option(...ACCOUNT_OPTION)
    .option('--json', 'exact JSON output')
    .action(async (jobId: string, options: { json?: boolean; account?: string }) => {
      await withServices(context, Boolean(options.json), async (services, output) => {
        context.exitCode = await deployStatusCommand(services, { ...options, jobId }, output);
      });
    });
}

/** Exit code of a `deploy` command that found no such certificate or job. */
export const EXIT_NOT_FOUND = 4;

const CERTIFICATE_ID = /^\d{1,19}$/;
const JOB_ID = /^\d{1,15}$/;

/**
 * `cert-bot deploy plan <old id>`: what a deployment request for this certificate would do, read
 * from CAS (the resources, live) and the inventory (the replacement, as alerts name it). Writes
 * nothing. Exit 0 with the plan or with why there is none, 4 when no account has the certificate.
 */
export async function deployPlanCommand(
  services: Services,
  options: { certificateId: string; account?: string; json?: boolean },
  output: Output,
  now: Date,
): Promise<number> {
  const certificateId = options.certificateId.trim();
  if (!CERTIFICATE_ID.test(certificateId))
    throw new UsageError(`"${certificateId.slice(0, 40)}" is not a certificate ID (its digits, e.g. 12345678)`);
  const interval = services.config.INVENTORY_SYNC_MINUTES * 60_000;
  // Whether some account answered from its inventory: a certificate issued since then is not there.
  let fromInventory = false;
  const certificates = async (name: string, at: Date) => {
    const source = await services.listSource({ accounts: [name], maxAgeMs: interval > 0 ? 2 * interval : undefined });
    const listing = await source.list('all', undefined, at);
    const live = listing.freshness.source === 'live';
    if (!live) fromInventory = true;
    return { certificates: listing.certificates, live };
  };
  // The first account that knows the certificate; with --account, only that one.
  let found: { account: string; outcome: PlanOutcome } | undefined;
  let first: { account: string; outcome: PlanOutcome } | undefined;
  for (const account of services.selectAccounts(options.account)) {
    const deps = { certificates, cas: await account.cas() };
    const outcome = await loadDeploymentPlan(deps, { account: account.name, certificateId, now });
    first ??= { account: account.name, outcome };
    if (!('noPlan' in outcome) || outcome.noPlan.kind !== 'unknown-certificate') {
      found = { account: account.name, outcome };
      break;
    }
  }
  const answer = found ?? (first as { account: string; outcome: PlanOutcome });
  if (options.json) output.out(JSON.stringify(planJson(answer.account, certificateId, answer.outcome), null, 2));
  if ('plan' in answer.outcome) {
    if (!options.json) output.out(planText(answer.outcome.plan, now));
    return 0;
  }
  const reason = answer.outcome.noPlan;
  if (reason.kind === 'unknown-certificate') {
    const where = services.accounts.length > 1 && options.account === undefined ? ' in any account' : '';
    const newer = fromInventory ? ', or run cert-bot sync if it was added since the last sync' : '';
    output.err(`error: no certificate ${certificateId}${where}. Check the ID with cert-bot list${newer}.`);
    return EXIT_NOT_FOUND;
  }
  if (!options.json) output.out(describeNoPlan(reason));
  return 0;
}

/**
 * `cert-bot deploy status <job id>`: a CAS deployment job's progress and its failed workers,
 * read from CAS. Exit 0 whatever the job's outcome, 4 when no account has the job.
 */
export async function deployStatusCommand(
  services: Services,
  options: { jobId: string; account?: string; json?: boolean },
  output: Output,
): Promise<number> {
  const text = options.jobId.trim();
  if (!JOB_ID.test(text) && isDeploymentRequestId(text)) return requestStatus(services, text, options, output);
  if (!JOB_ID.test(text) || Number(text) <= 0)
    throw new UsageError(
      `"${text.slice(0, 40)}" is neither a deployment job ID (its digits, e.g. 10001) nor a request ID (as the request message shows it)`,
    );
  const jobId = Number(text);
  for (const account of services.selectAccounts(options.account)) {
    try {
      const report = await readDeploymentStatus(await account.cas(), jobId);
      output.out(options.json ? JSON.stringify(statusJson(account.name, report), null, 2) : statusText(report));
      return 0;
    } catch (error) {
      // Job IDs belong to one Alibaba Cloud account: look in the next.
      if (!(error instanceof CasError && error.kind === 'not_found')) throw error;
    }
  }
  const where = services.accounts.length > 1 && options.account === undefined ? ' in any account' : '';
  output.err(`error: no deployment job ${jobId}${where}. Check the ID (CAS console, Deployment).`);
  return EXIT_NOT_FOUND;
}

function requestLines(request: DeploymentRequest): string[] {
  const lines = [
    `Deployment request ${request.id}: ${request.state}`,
    `  Certificate ${request.oldCertificateId} → ${request.newCertificateId}, account ${request.account}, ${request.resources.length} resource${request.resources.length === 1 ? '' : 's'}`,
    `  Requested by ${request.requester} at ${formatUtc(request.createdAt)}${request.approver ? `; ${request.state === 'rejected' ? 'rejected' : 'approved'} by ${request.approver}` : ''}`,
  ];
  if (request.state === 'requested') lines.push(`  Expires ${formatUtc(request.expiresAt)}`);
  if (request.progress?.problem) lines.push(`  ${request.progress.problem}`);
  return lines;
}

/**
 * `deploy status <request id>`: the request as the store keeps it and, once it has a job, the
 * job's progress read from CAS. Exit 4 when the store has no such request.
 */
async function requestStatus(
  services: Services,
  requestId: string,
  options: { json?: boolean },
  output: Output,
): Promise<number> {
  const config = services.config;
  // No store file means no request was ever made here; reading must not create one.
  const request =
    config.DATABASE_URL || sqliteStoreExists(config.DATA_DIR)
      ? await (await services.store()).deployments.get(requestId)
      : undefined;
  if (!request) {
    output.err(
      `error: no deployment request ${requestId} in the store (${config.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR'}). Check the ID in the request message.`,
    );
    return EXIT_NOT_FOUND;
  }
  const account = services.accounts.find((a) => a.name === request.account);
  const report =
    request.jobId !== undefined && account ? await readDeploymentStatus(await account.cas(), request.jobId) : undefined;
  if (options.json) {
    const { progress: _progress, ...stored } = request;
    output.out(
      JSON.stringify(
        {
          schema: 1,
          request: { ...stored, progress: request.progress ?? null },
          job: report ? statusJson(request.account, report) : null,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const lines = requestLines(request);
  if (report) lines.push('', statusText(report));
  output.out(lines.join('\n'));
  return 0;
}
