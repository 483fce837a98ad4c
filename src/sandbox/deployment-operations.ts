import { accountUserId, CLOUD_NAMES } from './cloud-resources';
import type { Dataset, SandboxCertificate } from './dataset';
import {
  deploymentsOf,
  hasListener,
  JOB_STATUSES,
  type JobType,
  type SandboxJob,
  type SandboxWorker,
  START_STATUSES,
  type StartStatus,
  WORKER_STATUSES,
} from './deployment-jobs';
import { invalidParameter, missingParameter } from './errors';
import type { Operation, Params } from './operations';

/**
 * The deployment-job operations of CAS 2020-04-07 over the simulator's jobs (deployment-jobs.ts),
 * with the wire names and types of the official SDK's models (@alicloud/cas20200407):
 * ID lists are comma-separated strings, times are strings of epoch milliseconds, a worker's Port
 * is a number and its DefaultResource a boolean, CloudName is left out for Alibaba Cloud's own
 * products, and ListContact counts in TotalCount where the others say Total.
 */

const VERSION = '2020-04-07';
/** Not documented upstream; a bound keeps a buggy pager from asking for everything at once. */
export const DEPLOYMENT_MAX_SHOW_SIZE = 100;
export const DEPLOYMENT_DEFAULT_SHOW_SIZE = 50;
export const CONTACTS_DEFAULT_SHOW_SIZE = 20;
const JOB_TYPES: readonly string[] = ['user', 'cloud'];

export const DEPLOYMENT_OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateDeploymentJob: {
    version: VERSION,
    handle: createDeploymentJob,
    holdMs: (dataset) => deploymentsOf(dataset).settings.holdCreateAnswerMs,
  },
  UpdateDeploymentJobStatus: { version: VERSION, handle: updateDeploymentJobStatus },
  // The one deployment operation whose RAM action is not named after it.
  DescribeDeploymentJob: {
    version: VERSION,
    handle: describeDeploymentJob,
    ramAction: 'yundun-cert:DescribeDeployment',
  },
  DescribeDeploymentJobStatus: { version: VERSION, handle: describeDeploymentJobStatus },
  ListDeploymentJob: { version: VERSION, handle: listDeploymentJob },
  ListWorkerResource: { version: VERSION, handle: listWorkerResource },
  UpdateWorkerResourceStatus: { version: VERSION, handle: updateWorkerResourceStatus },
  ListContact: { version: VERSION, handle: listContact },
};

function createDeploymentJob(params: Params, dataset: Dataset, now: number): Record<string, unknown> {
  const name = params.Name ?? '';
  if (name.trim() === '') throw missingParameter('Name');
  if (name.length > 128) throw invalidParameter('Name', name.slice(0, 20), 'must be at most 128 characters');
  const jobType = params.JobType ?? '';
  if (jobType === '') throw missingParameter('JobType');
  if (!JOB_TYPES.includes(jobType))
    throw invalidParameter('JobType', jobType, `expected one of ${JOB_TYPES.join(', ')}`);
  const scheduleText = params.ScheduleTime ?? '';
  if (scheduleText !== '' && !/^\d{1,16}$/.test(scheduleText))
    throw invalidParameter('ScheduleTime', scheduleText, 'must be a time in epoch milliseconds');
  const job = deploymentsOf(dataset).create(
    {
      name,
      jobType: jobType as JobType,
      certIds: idList(params, 'CertIds'),
      resourceIds: idList(params, 'ResourceIds'),
      contactIds: idList(params, 'ContactIds'),
      scheduleTime: scheduleText === '' ? undefined : Number(scheduleText),
    },
    now,
  );
  return { JobId: job.id };
}

function updateDeploymentJobStatus(params: Params, dataset: Dataset, now: number): Record<string, unknown> {
  const jobId = requiredId(params, 'JobId');
  const status = params.Status ?? '';
  if (status === '') throw missingParameter('Status');
  if (!(START_STATUSES as readonly string[]).includes(status))
    throw invalidParameter('Status', status, `expected one of ${START_STATUSES.join(', ')}`);
  deploymentsOf(dataset).setStatus(jobId, status as StartStatus, now);
  return { Data: [] };
}

function describeDeploymentJob(params: Params, dataset: Dataset): Record<string, unknown> {
  const book = deploymentsOf(dataset);
  const job = book.job(requiredId(params, 'JobId'));
  return {
    ...jobRow(job, dataset),
    Config: JSON.stringify({ shareCertIds: [], certIds: job.certIds }),
    CasContacts: job.contactIds.flatMap((id) => {
      const contact = book.contacts.find((c) => c.contactId === id);
      return contact ? [{ Id: String(id), Name: contact.name, Email: contact.email, Mobile: contact.mobile }] : [];
    }),
  };
}

function describeDeploymentJobStatus(params: Params, dataset: Dataset): Record<string, unknown> {
  const job = deploymentsOf(dataset).job(requiredId(params, 'JobId'));
  const count = (...statuses: string[]) => job.workers.filter((w) => statuses.includes(w.status)).length;
  const products = new Map<string, number>();
  for (const worker of job.workers) products.set(worker.target.product, (products.get(worker.target.product) ?? 0) + 1);
  const success = count('success');
  return {
    WorkerCount: job.workers.length,
    MatchWorkerCount: job.workers.length,
    // Both without rollbacks: a worker rolled back counts under the Rollback counters only.
    SuccessCount: success,
    FailedCount: count('error'),
    RollbackCount: count('rollback', 'rollback_success', 'rollback_error'),
    RollbackSuccessCount: count('rollback_success'),
    RollbackFailedCount: count('rollback_error'),
    CertCount: job.certIds.length,
    ResourceCount: job.resourceIds.length,
    CostCount: success,
    UseCount: 0,
    BuyCount: 0,
    ProductWorkerCount: [...products].map(([ProductName, Count]) => ({ ProductName, Count })),
  };
}

function listDeploymentJob(params: Params, dataset: Dataset): Record<string, unknown> {
  const jobType = params.JobType ?? '';
  if (jobType !== '' && ![...JOB_TYPES, 'trustee'].includes(jobType))
    throw invalidParameter('JobType', jobType, `expected one of ${[...JOB_TYPES, 'trustee'].join(', ')}`);
  const status = params.Status ?? '';
  if (status !== '' && !(JOB_STATUSES as readonly string[]).includes(status))
    throw invalidParameter('Status', status, `expected one of ${JOB_STATUSES.join(', ')}`);
  const page = paging(params, DEPLOYMENT_DEFAULT_SHOW_SIZE);
  // Newest first, as the console lists them.
  const jobs = deploymentsOf(dataset)
    .jobs.filter((j) => (jobType === '' || j.jobType === jobType) && (status === '' || j.status === status))
    .sort((a, b) => b.id - a.id);
  return {
    Total: jobs.length,
    CurrentPage: page.currentPage,
    ShowSize: page.showSize,
    Data: page.slice(jobs).map((job) => jobRow(job, dataset)),
  };
}

function listWorkerResource(params: Params, dataset: Dataset): Record<string, unknown> {
  const job = deploymentsOf(dataset).job(requiredId(params, 'JobId'));
  const status = params.Status ?? '';
  if (status !== '' && !(WORKER_STATUSES as readonly string[]).includes(status))
    throw invalidParameter('Status', status, `expected one of ${WORKER_STATUSES.join(', ')}`);
  const product = (params.CloudProduct ?? '').toLowerCase();
  const page = paging(params, DEPLOYMENT_DEFAULT_SHOW_SIZE);
  const workers = job.workers.filter(
    (w) => (status === '' || w.status === status) && (product === '' || w.target.product.toLowerCase() === product),
  );
  return {
    Total: workers.length,
    CurrentPage: page.currentPage,
    ShowSize: page.showSize,
    Data: page.slice(workers).map((worker) => workerRow(worker, dataset)),
  };
}

function updateWorkerResourceStatus(params: Params, dataset: Dataset, now: number): Record<string, unknown> {
  const jobId = requiredId(params, 'JobId');
  const workerId = requiredId(params, 'WorkerId');
  const status = params.Status ?? '';
  if (status === '') throw missingParameter('Status');
  if (status !== 'rollback') throw invalidParameter('Status', status, 'expected rollback');
  deploymentsOf(dataset).rollbackWorker(jobId, workerId, now);
  return { Data: [] };
}

function listContact(params: Params, dataset: Dataset): Record<string, unknown> {
  const keyword = (params.Keyword ?? '').trim().toLowerCase();
  const page = paging(params, CONTACTS_DEFAULT_SHOW_SIZE);
  const contacts = deploymentsOf(dataset)
    .contacts.filter(
      (c) => keyword === '' || [c.name, c.email, c.mobile].some((field) => field.toLowerCase().includes(keyword)),
    )
    .sort((a, b) => a.contactId - b.contactId);
  const body: Record<string, unknown> = {
    TotalCount: contacts.length,
    CurrentPage: page.currentPage,
    ShowSize: page.showSize,
    ContactList: page.slice(contacts).map((c) => ({
      ContactId: c.contactId,
      Name: c.name,
      Email: c.email,
      Mobile: c.mobile,
      EmailStatus: c.emailStatus,
      MobileStatus: c.mobileStatus,
      Webhooks: JSON.stringify(c.webhooks),
    })),
  };
  if (params.Keyword) body.Keyword = params.Keyword;
  return body;
}

function certOf(dataset: Dataset, certificateId: number): SandboxCertificate | undefined {
  return dataset.certificates.find((c) => c.certificateId === certificateId);
}

/** A job as ListDeploymentJob's Data rows and DescribeDeploymentJob show it. */
function jobRow(job: SandboxJob, dataset: Dataset): Record<string, unknown> {
  const certs = job.certIds.map((id) => certOf(dataset, id));
  const row: Record<string, unknown> = {
    Id: job.id,
    Name: job.name,
    JobType: job.jobType,
    Status: job.status,
    CertDomain: certs.flatMap((c) => (c ? [c.commonName] : [])).join(','),
    CertType: certs[0]?.source ?? 'upload',
    ProductName: [...new Set(job.workers.map((w) => w.target.product))].join(','),
    InstanceId: job.instanceId,
    Rollback: job.rollback ? 1 : 0,
    Del: 0,
    GmtCreate: String(job.createdAt),
    GmtModified: String(job.modifiedAt),
    UserId: accountUserId(dataset.seed),
  };
  if (job.scheduleTime !== undefined) row.ScheduleTime = String(job.scheduleTime);
  if (job.startTime !== undefined) row.StartTime = String(job.startTime);
  if (job.endTime !== undefined) row.EndTime = String(job.endTime);
  return row;
}

/** One ListWorkerResource Data row: the worker, its certificate and the resource as it was. */
function workerRow(worker: SandboxWorker, dataset: Dataset): Record<string, unknown> {
  const cert = certOf(dataset, worker.certId);
  const { target } = worker;
  const row: Record<string, unknown> = {
    Id: worker.id,
    JobId: worker.jobId,
    Status: worker.status,
    CertId: worker.certId,
    CertName: cert?.name ?? '',
    CertDomain: cert?.commonName ?? '',
    CertInstanceId: cert?.instanceId ?? '',
  };
  // Documented as returned for other clouds only.
  if (target.provider !== 'aliyun') row.CloudName = CLOUD_NAMES[target.provider];
  Object.assign(row, {
    CloudProduct: target.product,
    CloudRegion: target.region,
    RegionId: target.region,
    ResourceId: worker.resourceId,
    ResourceDomain: target.domain,
  });
  if (worker.resourceCertId !== undefined) row.ResourceCertId = worker.resourceCertId;
  if (hasListener(target)) {
    if (target.instanceId !== undefined) row.InstanceId = target.instanceId;
    if (target.listenerId !== undefined) row.ListenerId = target.listenerId;
    if (target.listenerPort !== undefined) row.Port = target.listenerPort;
    if (target.defaultResource !== undefined) row.DefaultResource = target.defaultResource;
  }
  Object.assign(row, {
    GmtCreate: String(worker.createdAt),
    GmtModified: String(worker.modifiedAt),
    UserId: accountUserId(dataset.seed),
  });
  return row;
}

/** A required positive integer ID (int64 upstream; the simulator's IDs are all safe integers). */
function requiredId(params: Params, name: string): number {
  const raw = params[name] ?? '';
  if (raw === '') throw missingParameter(name);
  if (!/^\d{1,16}$/.test(raw) || Number(raw) <= 0) throw invalidParameter(name, raw, 'must be a positive integer');
  return Number(raw);
}

/** A required comma-separated list of IDs, `12342649,12304338` (not a JSON array). */
function idList(params: Params, name: string): number[] {
  const raw = (params[name] ?? '').trim();
  if (raw === '') throw missingParameter(name);
  const items = raw.split(',').map((item) => item.trim());
  if (!items.every((item) => /^\d{1,16}$/.test(item) && Number(item) > 0))
    throw invalidParameter(
      name,
      raw.slice(0, 60),
      'must be comma-separated positive integer IDs, e.g. 12342649,12304338',
    );
  return [...new Set(items.map(Number))];
}

function paging(params: Params, defaultSize: number) {
  const number = (name: string, fallback: number) => {
    const raw = params[name] ?? '';
    if (raw === '') return fallback;
    if (!/^\d{1,9}$/.test(raw)) throw invalidParameter(name, raw, 'must be a positive integer');
    return Number(raw);
  };
  const currentPage = number('CurrentPage', 1);
  if (currentPage < 1) throw invalidParameter('CurrentPage', String(currentPage), 'must be at least 1');
  const showSize = number('ShowSize', defaultSize);
  if (showSize < 1 || showSize > DEPLOYMENT_MAX_SHOW_SIZE)
    throw invalidParameter('ShowSize', String(showSize), `must be between 1 and ${DEPLOYMENT_MAX_SHOW_SIZE}`);
  const start = (currentPage - 1) * showSize;
  return { currentPage, showSize, slice: <T>(items: T[]) => items.slice(start, start + showSize) };
}
