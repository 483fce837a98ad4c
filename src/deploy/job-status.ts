import type { DeploymentApi } from '../cas/deployment-operations';
import type { DeploymentJob, DeploymentJobStatus, WorkerResource } from '../cas/deployment-schemas';
import type { CallPriority } from '../cas/types';
import {
  describeJobProgress,
  type JobNameParts,
  type JobProgress,
  jobProgress,
  parseDeploymentJobName,
  workerErrorText,
  workerTarget,
} from '../domain/deployment-job';
import type { DeploymentTarget } from '../domain/deployment-plan';

/** A worker that did not get its certificate (or back): where, its status, and CAS's error text if it sent one. */
export interface FailedWorker {
  workerId: number;
  status: string;
  target: DeploymentTarget;
  error?: string;
}

export interface DeploymentStatusReport {
  jobId: number;
  job: DeploymentJob;
  counts: DeploymentJobStatus;
  progress: JobProgress;
  /** "3 of 5 resources done, 1 failed" (before it runs: what it waits for). */
  summary: string;
  /** Set when the bot named the job: the request and the certificates. */
  request?: JobNameParts;
  /** When a job scheduled for later will run (epoch text as CAS sent it; read it with parseTime). */
  scheduleTime?: string | number;
  /** Workers whose deployment or rollback failed, listed only when the counters say some did. */
  failed: FailedWorker[];
}

/**
 * Where a deployment job stands: DescribeDeploymentJob, DescribeDeploymentJobStatus and, when
 * some failed, ListWorkerResource for the failed workers (Status=error and rollback_error).
 * Reads only; `priority` is 'tracking' for a job that follows a deployment.
 */
export async function readDeploymentStatus(
  cas: Pick<DeploymentApi, 'describeDeploymentJob' | 'describeDeploymentJobStatus' | 'listWorkerResources'>,
  jobId: number,
  options: { priority?: CallPriority } = {},
): Promise<DeploymentStatusReport> {
  const [job, counts] = await Promise.all([
    cas.describeDeploymentJob(jobId, options),
    cas.describeDeploymentJobStatus(jobId, options),
  ]);
  const progress = jobProgress(counts, job.Status);
  const failedStatuses = [
    ...(progress.failed > 0 ? ['error'] : []),
    ...(progress.rollbackFailed > 0 ? ['rollback_error'] : []),
  ];
  const failedRows = (
    await Promise.all(failedStatuses.map((status) => cas.listWorkerResources(jobId, { ...options, status })))
  ).flat();
  const report: DeploymentStatusReport = {
    jobId,
    job,
    counts,
    progress,
    summary: describeJobProgress(progress, job.Status),
    failed: failedRows.map(failedWorker),
  };
  const request = parseDeploymentJobName(job.Name);
  if (request) report.request = request;
  if (job.ScheduleTime !== undefined && job.ScheduleTime !== '') report.scheduleTime = job.ScheduleTime;
  return report;
}

function failedWorker(row: WorkerResource): FailedWorker {
  const failed: FailedWorker = { workerId: row.Id, status: row.Status, target: workerTarget(row) };
  const error = workerErrorText(row);
  if (error !== undefined) failed.error = error;
  return failed;
}
