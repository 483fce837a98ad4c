import type { DeploymentStatusReport } from '../deploy/job-status';
import { type Certificate, certificateNames } from '../domain/certificate';
import { CAS_CONSOLE_URL } from '../domain/deployment-job';
import { describeResource } from '../domain/deployment';
import {
  type DeploymentPlan,
  type DeploymentTarget,
  describeNoPlan,
  type NoPlanReason,
} from '../domain/deployment-plan';
import { daysLeft } from '../domain/expiry';
import { describeDaysLeft, formatUtc, plural } from '../render/format';

/**
 * Deployment plans and job status as terminal text and as the CLI's JSON. Pure. The JSON keeps a
 * `schema` number so scripts can tell when it changes.
 */
export const DEPLOYMENT_JSON_SCHEMA = 1;

function certificateLine(label: string, certificate: Certificate, now: Date): string {
  const names = certificateNames(certificate);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  const end = certificate.endDate
    ? `ends ${certificate.endDate} (${describeDaysLeft(daysLeft(certificate.endDate, now))})`
    : 'end date unknown';
  return `${label} ${certificate.certificateId ?? certificate.id}${shown ? ` ${shown}` : ''}, ${end}`;
}

const HEADINGS = ['PRODUCT', 'REGION', 'INSTANCE', 'LISTENER', 'PORT', 'DOMAIN', 'RESOURCE'];

function resourceCells(r: DeploymentTarget): string[] {
  return [
    r.product ?? r.cloud ?? '?',
    r.region ?? '',
    r.instanceId ?? '',
    r.listenerId ?? '',
    r.listenerPort ?? '',
    r.domain ?? '',
    r.id,
  ];
}

/** A table of resources, empty columns left out. */
export function resourceTable(resources: readonly DeploymentTarget[]): string[] {
  const rows = resources.map(resourceCells);
  const used = HEADINGS.map((_, i) => i === 0 || i === 6 || rows.some((row) => row[i] !== ''));
  const pick = (cells: string[]) => cells.filter((_, i) => used[i]);
  const all = [pick(HEADINGS), ...rows.map(pick)];
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map(
    (row) =>
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}`,
  );
}

/** `cert-bot deploy plan`: the replacement, then every resource a request would deploy it to. */
export function planText(plan: DeploymentPlan, now: Date): string {
  const lines = [
    certificateLine('Old certificate', plan.old, now),
    certificateLine('Replacement    ', plan.replacement, now),
    '',
    `A deployment request would put ${plan.replacement.certificateId ?? plan.replacement.id} on ${plural(plan.resources.length, 'resource')} still serving the old certificate:`,
    ...resourceTable(plan.resources),
  ];
  if (plan.skipped.length > 0)
    lines.push(
      '',
      `Left out: ${plural(plan.skipped.length, 'resource')} on other clouds (deploy there from the CAS console):`,
      ...resourceTable(plan.skipped.map((s) => s.resource)),
    );
  lines.push('', 'Nothing was changed. Deployments are requested in Slack and approved there by a second person.');
  return lines.join('\n');
}

function certificateJson(certificate: Certificate) {
  return {
    id: certificate.certificateId ?? certificate.id,
    commonName: certificate.commonName ?? null,
    names: certificateNames(certificate),
    notAfter: certificate.endDate ?? null,
  };
}

function resourceJson(r: DeploymentTarget) {
  return {
    id: r.id,
    cloud: r.cloud ?? null,
    product: r.product ?? null,
    region: r.region ?? null,
    instanceId: r.instanceId ?? null,
    listenerId: r.listenerId ?? null,
    listenerPort: r.listenerPort ?? null,
    domain: r.domain ?? null,
  };
}

/** `deploy plan --json`: the plan, or `plan: null` and why. */
export function planJson(
  account: string,
  certificateId: string,
  outcome: { plan: DeploymentPlan } | { noPlan: NoPlanReason },
): Record<string, unknown> {
  if ('noPlan' in outcome)
    return {
      schema: DEPLOYMENT_JSON_SCHEMA,
      account,
      certificateId,
      plan: null,
      reason: { kind: outcome.noPlan.kind, message: describeNoPlan(outcome.noPlan) },
    };
  const { plan } = outcome;
  return {
    schema: DEPLOYMENT_JSON_SCHEMA,
    account,
    certificateId,
    plan: {
      old: certificateJson(plan.old),
      replacement: certificateJson(plan.replacement),
      resources: plan.resources.map(resourceJson),
      skipped: plan.skipped.map((s) => ({ reason: s.reason, resource: resourceJson(s.resource) })),
    },
  };
}

/** `cert-bot deploy status`: the job, its progress, and each failed worker with where it is. */
export function statusText(report: DeploymentStatusReport): string {
  const { job } = report;
  const lines = [`Deployment job ${report.jobId}${job.Name ? ` (${job.Name})` : ''}: ${job.Status}`];
  lines.push(`  ${report.summary}`);
  if (report.request)
    lines.push(
      `  Request ${report.request.requestId}: certificate ${report.request.oldCertificateId} → ${report.request.newCertificateId}`,
    );
  if (report.scheduleTime !== undefined && job.Status === 'pending')
    lines.push(`  Scheduled for ${formatUtc(report.scheduleTime)}`);
  if (job.StartTime !== undefined) lines.push(`  Started ${formatUtc(job.StartTime)}`);
  if (job.EndTime !== undefined && report.progress.finished) lines.push(`  Ended ${formatUtc(job.EndTime)}`);
  if (report.failed.length > 0) {
    lines.push('', `Failed (${report.failed.length}):`);
    for (const worker of report.failed) {
      const what = worker.status === 'rollback_error' ? 'rollback failed' : 'failed';
      const listener = worker.target.listenerId ? ` listener ${worker.target.listenerId}` : '';
      lines.push(
        `  ${describeResource(worker.target)}${listener}: ${what}${worker.error ? ` (${worker.error})` : ''} [worker ${worker.workerId}]`,
      );
    }
    if (report.failed.every((worker) => worker.error === undefined))
      lines.push(
        `  CAS gives no reason per resource here: see job ${report.jobId} in the CAS console (${CAS_CONSOLE_URL}, Deployment).`,
      );
  }
  return lines.join('\n');
}

/** `deploy status --json`. */
export function statusJson(account: string, report: DeploymentStatusReport): Record<string, unknown> {
  const { job, progress } = report;
  return {
    schema: DEPLOYMENT_JSON_SCHEMA,
    account,
    jobId: report.jobId,
    name: job.Name ?? null,
    status: job.Status,
    request: report.request ?? null,
    summary: report.summary,
    progress,
    scheduleTime: report.scheduleTime ?? null,
    failed: report.failed.map((worker) => ({
      workerId: worker.workerId,
      status: worker.status,
      resource: resourceJson(worker.target),
      error: worker.error ?? null,
    })),
  };
}
