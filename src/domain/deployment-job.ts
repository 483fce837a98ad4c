/**
 * Rules of a CAS deployment job once it exists: the name that finds it again, how far it got
 * (from DescribeDeploymentJobStatus' counts), and what a worker deployed to. Pure.
 */
import type { DeploymentTarget } from './deployment-plan';

/**
 * Job names carry the request that made the job: `certbot-<old>-to-<new>-<request ID>`. CAS
 * cannot look a job up by anything the caller chooses but its name, so a process that dies after
 * CreateDeploymentJob answered finds its job by this name before it would create another.
 */
export const JOB_NAME_PREFIX = 'certbot-';
const REQUEST_ID = /^[A-Za-z0-9_-]{6,64}$/;
const CERTIFICATE_ID = /^\d{1,19}$/;
const JOB_NAME = /^certbot-(\d{1,19})-to-(\d{1,19})-([A-Za-z0-9_-]{6,64})$/;

export interface JobNameParts {
  requestId: string;
  oldCertificateId: string;
  newCertificateId: string;
}

/** A request ID the bot can put in a job name: 6 to 64 letters, digits, `-` or `_` (a base64url nonce). */
export function isDeploymentRequestId(text: string): boolean {
  return REQUEST_ID.test(text);
}

/** The job name for a request; a RangeError for a request ID or certificate ID that cannot go in one. */
export function deploymentJobName(parts: JobNameParts): string {
  if (!isDeploymentRequestId(parts.requestId))
    throw new RangeError(`request ID "${parts.requestId.slice(0, 70)}" must be 6 to 64 letters, digits, - or _`);
  for (const id of [parts.oldCertificateId, parts.newCertificateId])
    if (!CERTIFICATE_ID.test(id)) throw new RangeError(`certificate ID "${id.slice(0, 30)}" is not a whole number`);
  return `${JOB_NAME_PREFIX}${parts.oldCertificateId}-to-${parts.newCertificateId}-${parts.requestId}`;
}

/** The parts of a name the bot gave a job; undefined for any other name (a job made in the console). */
export function parseDeploymentJobName(name: string | undefined): JobNameParts | undefined {
  const match = name === undefined ? null : JOB_NAME.exec(name);
  if (!match) return undefined;
  return { oldCertificateId: match[1], newCertificateId: match[2], requestId: match[3] };
}

/** DescribeDeploymentJobStatus' counters (Success and Failed without the rolled-back workers). */
export interface WorkerCounts {
  WorkerCount: number;
  SuccessCount: number;
  FailedCount: number;
  RollbackCount: number;
  RollbackSuccessCount: number;
  RollbackFailedCount: number;
}

/** Job statuses of CAS; a worker also has rollback, rollback_success and rollback_error. */
export type JobStatus = 'editing' | 'pending' | 'scheduling' | 'processing' | 'success' | 'error';
const WAITING_STATUSES: readonly string[] = ['editing', 'pending', 'scheduling'];
const FINAL_STATUSES: readonly string[] = ['success', 'error'];

export interface JobProgress {
  /** Workers, one per resource. */
  total: number;
  /** Deployed and not rolled back. */
  deployed: number;
  failed: number;
  /** Not started: the job is editing, pending or scheduling. */
  waiting: number;
  running: number;
  rolledBack: number;
  rollingBack: number;
  rollbackFailed: number;
  /** Every worker finished deploying (a rolled-back worker had). */
  finished: boolean;
  /** Finished, and no rollback in flight: nothing will change without a new request. */
  settled: boolean;
  /** Once finished: every resource deployed, some, or none. */
  outcome?: 'deployed' | 'partly' | 'failed';
}

const count = (value: number) => (Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/** How far a job got, from its counters and (when known) its status. */
export function jobProgress(counts: WorkerCounts, status?: string): JobProgress {
  const total = count(counts.WorkerCount);
  const deployed = count(counts.SuccessCount);
  const failed = count(counts.FailedCount);
  const rollbacks = count(counts.RollbackCount);
  const rolledBack = count(counts.RollbackSuccessCount);
  const rollbackFailed = count(counts.RollbackFailedCount);
  const rollingBack = Math.max(0, rollbacks - rolledBack - rollbackFailed);
  const done = deployed + failed + rollbacks;
  const waitingJob = status !== undefined && WAITING_STATUSES.includes(status);
  const waiting = waitingJob ? Math.max(0, total - done) : 0;
  const running = waitingJob ? 0 : Math.max(0, total - done);
  // The counters decide; a finished status covers counters that lag behind it.
  const finished = (total > 0 && done >= total) || (status !== undefined && FINAL_STATUSES.includes(status));
  const progress: JobProgress = {
    total,
    deployed,
    failed,
    waiting,
    running: finished ? 0 : running,
    rolledBack,
    rollingBack,
    rollbackFailed,
    finished,
    settled: finished && rollingBack === 0,
  };
  if (finished) progress.outcome = deployed + rollbacks === 0 ? 'failed' : failed === 0 ? 'deployed' : 'partly';
  return progress;
}

const resources = (n: number) => `${n} resource${n === 1 ? '' : 's'}`;

/**
 * "3 of 5 resources done, 1 failed"; before the job runs, what it waits for ("waiting to be
 * started, 5 resources"; the caller adds a scheduled time); rollbacks are added as they happen.
 */
export function describeJobProgress(progress: JobProgress, status?: string): string {
  if (progress.waiting > 0 && progress.waiting === progress.total) {
    if (status === 'pending') return `scheduled, ${resources(progress.total)}`;
    if (status === 'scheduling') return `starting, ${resources(progress.total)}`;
    return `waiting to be started, ${resources(progress.total)}`;
  }
  const parts = [`${progress.deployed} of ${resources(progress.total)} done`];
  if (progress.failed > 0) parts.push(`${progress.failed} failed`);
  if (progress.rolledBack > 0) parts.push(`${progress.rolledBack} rolled back`);
  if (progress.rollingBack > 0) parts.push(`${progress.rollingBack} rolling back`);
  if (progress.rollbackFailed > 0) parts.push(`${progress.rollbackFailed} rollback failed`);
  return parts.join(', ');
}

/** The fields of a ListWorkerResource row the rules read (a structural subset of the CAS type). */
export interface WorkerRow {
  Id: number;
  Status: string;
  CloudName?: string;
  CloudProduct?: string;
  CloudRegion?: string;
  RegionId?: string;
  ResourceId?: number;
  InstanceId?: string;
  ListenerId?: string;
  Port?: number | string;
  ResourceDomain?: string;
  ResourceCertId?: number;
  CertId?: number;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** What a worker deploys to, as a resource the renderers describe like any other. */
export function workerTarget(row: WorkerRow): DeploymentTarget {
  const port = row.Port === undefined || row.Port === '' ? undefined : String(row.Port);
  return {
    id: row.ResourceId === undefined ? `worker ${row.Id}` : String(row.ResourceId),
    certificateId: row.ResourceCertId === undefined ? undefined : String(row.ResourceCertId),
    cloud: text(row.CloudName),
    product: text(row.CloudProduct),
    region: text(row.CloudRegion) ?? text(row.RegionId),
    instanceId: text(row.InstanceId),
    listenerId: text(row.ListenerId),
    listenerPort: port,
    domain: text(row.ResourceDomain),
  };
}

/**
 * An error text a worker row carries, if CAS sends one: the SDK's worker model has none, so
 * only fields that look like one are read, and nothing is made up when there is none.
 */
export function workerErrorText(row: object): string | undefined {
  const fields = row as Record<string, unknown>;
  for (const key of ['ErrorMessage', 'ErrorMsg', 'ErrorInfo', 'FailReason', 'FailedReason', 'ErrorCode'])
    if (text(fields[key])) return (fields[key] as string).trim().slice(0, 300);
  return undefined;
}

/** Where a person finds a job's details (the API gives no error text per resource). */
export const CAS_CONSOLE_URL = 'https://yundun.console.aliyun.com/?p=cas';
