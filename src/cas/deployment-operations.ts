import { CasError } from './errors';
import {
  type Contact,
  type ContactPage,
  contactPageSchema,
  type CreatedDeploymentJob,
  createdDeploymentJobSchema,
  type DeploymentJob,
  type DeploymentJobPage,
  deploymentJobPageSchema,
  type DeploymentJobRow,
  deploymentJobSchema,
  type DeploymentJobStatus,
  deploymentJobStatusSchema,
  type DeploymentWrite,
  deploymentWriteSchema,
  type WorkerResource,
  type WorkerResourcePage,
  workerResourcePageSchema,
} from './deployment-schemas';
import type { OperationSpec } from './transport';
import type { CallPriority } from './types';

/**
 * The deployment-job operations (docs/cas-api.md 1.7): create a job that deploys a certificate
 * to cloud resources, start it, follow it, roll workers back, and read the contacts a job
 * notifies. Each names the RAM action that authorises it, so a denial without an
 * AccessDeniedDetail still says what to grant.
 */
export const DEPLOYMENT_OPERATIONS = {
  CreateDeploymentJob: {
    action: 'CreateDeploymentJob',
    version: '2020-04-07',
    schema: createdDeploymentJobSchema,
    ramAction: 'yundun-cert:CreateDeploymentJob',
  },
  UpdateDeploymentJobStatus: {
    action: 'UpdateDeploymentJobStatus',
    version: '2020-04-07',
    schema: deploymentWriteSchema,
    ramAction: 'yundun-cert:UpdateDeploymentJobStatus',
  },
  DescribeDeploymentJob: {
    action: 'DescribeDeploymentJob',
    version: '2020-04-07',
    schema: deploymentJobSchema,
    // Not named after the operation: the RAM action is DescribeDeployment.
    ramAction: 'yundun-cert:DescribeDeployment',
  },
  DescribeDeploymentJobStatus: {
    action: 'DescribeDeploymentJobStatus',
    version: '2020-04-07',
    schema: deploymentJobStatusSchema,
    ramAction: 'yundun-cert:DescribeDeploymentJobStatus',
  },
  ListDeploymentJob: {
    action: 'ListDeploymentJob',
    version: '2020-04-07',
    schema: deploymentJobPageSchema,
    ramAction: 'yundun-cert:ListDeploymentJob',
  },
  ListWorkerResource: {
    action: 'ListWorkerResource',
    version: '2020-04-07',
    schema: workerResourcePageSchema,
    ramAction: 'yundun-cert:ListWorkerResource',
  },
  UpdateWorkerResourceStatus: {
    action: 'UpdateWorkerResourceStatus',
    version: '2020-04-07',
    schema: deploymentWriteSchema,
    ramAction: 'yundun-cert:UpdateWorkerResourceStatus',
  },
  ListContact: {
    action: 'ListContact',
    version: '2020-04-07',
    schema: contactPageSchema,
    ramAction: 'yundun-cert:ListContact',
  },
} as const satisfies Record<string, OperationSpec<unknown>>;

/** The RAM actions a deployment needs, for policies, doctor and the docs. */
export const DEPLOYMENT_RAM_ACTIONS: readonly string[] = [
  ...new Set(Object.values(DEPLOYMENT_OPERATIONS).map((operation) => operation.ramAction)),
];

/** How the client makes one call: the limiter, the retry policy and the events (client.ts). */
export type CasCall = <T>(
  operation: OperationSpec<T>,
  query?: Record<string, string | number | undefined>,
  options?: { retryOnlyThrottled?: boolean; priority?: CallPriority },
) => Promise<T>;

export type DeploymentJobType = 'user' | 'cloud';
/** What UpdateDeploymentJobStatus sets: pending (runs at the ScheduleTime, or now without one), scheduling (now), editing. */
export type DeploymentStartStatus = 'pending' | 'scheduling' | 'editing';

export interface CreateDeploymentJobInput {
  /** Up to 128 characters; carry what finds the job again (see domain/deployment-plan jobName). */
  name: string;
  /** CertificateId values, as decimal digits (int64 upstream). */
  certIds: readonly string[];
  /** ListCloudResources `Id` values (not instance IDs or domains). */
  resourceIds: readonly string[];
  /** ListContact ContactId values. */
  contactIds: readonly string[];
  /** user (default): Alibaba Cloud products; cloud: other clouds' resources. */
  jobType?: DeploymentJobType;
  /** When a job started with `pending` runs; unset: as soon as it is started. */
  scheduleTime?: Date;
}

export interface ReadOptions {
  /** Default 'interactive'; a job that follows a deployment uses 'tracking'. */
  priority?: CallPriority;
}

export interface DeploymentJobFilter extends ReadOptions {
  jobType?: DeploymentJobType;
  status?: string;
  /** ShowSize, default 50. */
  pageSize?: number;
}

export interface WorkerFilter extends ReadOptions {
  /** e.g. 'error' for the failed workers. */
  status?: string;
  cloudProduct?: string;
  pageSize?: number;
}

export interface ContactFilter extends ReadOptions {
  keyword?: string;
  pageSize?: number;
}

/**
 * The deployment operations as the app calls them. Writes (create, start, roll back) are never
 * retried after an answer that may hide an executed call (a timeout, a 5xx, a mangled body):
 * only after throttling, which CAS answers before doing anything. A create whose answer was lost
 * is found again by its Name with `findDeploymentJobByName`.
 */
export interface DeploymentApi {
  /** CreateDeploymentJob: a write. The job's workers wait in `editing` or start on their own (see 1.7). */
  createDeploymentJob(input: CreateDeploymentJobInput): Promise<CreatedDeploymentJob>;
  /** UpdateDeploymentJobStatus: a write; CAS refuses it for a processing or finished job. */
  updateDeploymentJobStatus(jobId: number, status: DeploymentStartStatus): Promise<DeploymentWrite>;
  /** DescribeDeploymentJob (RAM action yundun-cert:DescribeDeployment). */
  describeDeploymentJob(jobId: number, options?: ReadOptions): Promise<DeploymentJob>;
  /** DescribeDeploymentJobStatus: the worker counts. */
  describeDeploymentJobStatus(jobId: number, options?: ReadOptions): Promise<DeploymentJobStatus>;
  /** One page of ListDeploymentJob (1-based). */
  listDeploymentJobPage(filter: DeploymentJobFilter, page: number): Promise<DeploymentJobPage>;
  /**
   * The job named `name` (the lowest ID if CAS holds several), or undefined: ListDeploymentJob
   * page by page until it is found. ListDeploymentJob cannot filter by name, so a miss reads
   * every page of the job type.
   */
  findDeploymentJobByName(name: string, options?: DeploymentJobFilter): Promise<DeploymentJobRow | undefined>;
  /** One page of a job's workers (ListWorkerResource, 1-based). */
  listWorkerResourcePage(jobId: number, filter: WorkerFilter, page: number): Promise<WorkerResourcePage>;
  /** Every worker of a job matching the filter, all pages. */
  listWorkerResources(jobId: number, filter?: WorkerFilter): Promise<WorkerResource[]>;
  /** UpdateWorkerResourceStatus with Status=rollback: a write; only a worker in success can be rolled back. */
  rollbackWorker(jobId: number, workerId: number): Promise<DeploymentWrite>;
  /** One page of ListContact (1-based). */
  listContactPage(filter: ContactFilter, page: number): Promise<ContactPage>;
  /** Every contact matching the filter, all pages. */
  listContacts(filter?: ContactFilter): Promise<Contact[]>;
}

const ID_TEXT = /^\d{1,19}$/;
const JOB_TYPES: readonly DeploymentJobType[] = ['user', 'cloud'];
const START_STATUSES: readonly DeploymentStartStatus[] = ['pending', 'scheduling', 'editing'];
const DEFAULT_PAGE_SIZE = 50;
/** ListContact's page; the API documents no default, the console shows 20. */
const CONTACT_PAGE_SIZE = 50;
export const MAX_JOB_NAME_LENGTH = 128;

/** Refused before sending: nothing reached CAS. */
function notSent(operation: string, code: string, message: string, hint: string): CasError {
  return new CasError({ kind: 'bad_input', operation, code, message: `${operation} was not sent: ${message}`, hint });
}

function idList(operation: string, field: string, ids: readonly string[]): string {
  if (ids.length === 0) throw notSent(operation, `Missing${field}`, `${field} is empty`, `Give at least one ID.`);
  const bad = ids.find((id) => !ID_TEXT.test(id));
  if (bad !== undefined)
    throw notSent(
      operation,
      `Invalid${field}`,
      `${field} holds "${String(bad).slice(0, 40)}", which is not an ID`,
      'IDs are whole numbers, e.g. 12342649.',
    );
  return [...new Set(ids.map((id) => id.replace(/^0+(?=\d)/, '')))].join(',');
}

function checkedId(operation: string, field: string, id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0)
    throw notSent(operation, `Invalid${field}`, `${field} ${String(id)} is not an ID`, 'IDs are whole numbers.');
  return id;
}

/** Every page of a listing: the first, then the rest at once (the limiter spaces them). */
async function allPages<P, T>(
  first: (page: number) => Promise<P>,
  itemsOf: (page: P) => T[],
  totalOf: (page: P) => number,
  pageSize: number,
): Promise<T[]> {
  const page1 = await first(1);
  const pages = Math.max(1, Math.ceil(totalOf(page1) / pageSize));
  const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => first(i + 2)));
  return [page1, ...rest].flatMap(itemsOf);
}

/** The deployment operations over the client's `call`. */
export function deploymentOperations(call: CasCall): DeploymentApi {
  const ops = DEPLOYMENT_OPERATIONS;

  const listDeploymentJobPage: DeploymentApi['listDeploymentJobPage'] = (filter, page) =>
    call(
      ops.ListDeploymentJob,
      {
        JobType: filter.jobType,
        Status: filter.status,
        CurrentPage: page,
        ShowSize: filter.pageSize ?? DEFAULT_PAGE_SIZE,
      },
      { priority: filter.priority },
    );

  const listWorkerResourcePage: DeploymentApi['listWorkerResourcePage'] = (jobId, filter, page) =>
    call(
      ops.ListWorkerResource,
      {
        JobId: checkedId(ops.ListWorkerResource.action, 'JobId', jobId),
        Status: filter.status,
        CloudProduct: filter.cloudProduct,
        CurrentPage: page,
        ShowSize: filter.pageSize ?? DEFAULT_PAGE_SIZE,
      },
      { priority: filter.priority },
    );

  const listContactPage: DeploymentApi['listContactPage'] = (filter, page) =>
    call(
      ops.ListContact,
      { Keyword: filter.keyword, CurrentPage: page, ShowSize: filter.pageSize ?? CONTACT_PAGE_SIZE },
      { priority: filter.priority },
    );

  return {
    async createDeploymentJob(input) {
      const action = ops.CreateDeploymentJob.action;
      const name = input.name.trim();
      if (name === '' || name.length > MAX_JOB_NAME_LENGTH)
        throw notSent(
          action,
          'InvalidName',
          `the job name must be 1 to ${MAX_JOB_NAME_LENGTH} characters`,
          'Give the job a shorter name.',
        );
      const jobType = input.jobType ?? 'user';
      if (!JOB_TYPES.includes(jobType))
        throw notSent(action, 'InvalidJobType', `JobType ${String(jobType)}`, 'Use user or cloud.');
      const scheduleTime = input.scheduleTime?.getTime();
      if (scheduleTime !== undefined && !(Number.isFinite(scheduleTime) && scheduleTime > 0))
        throw notSent(action, 'InvalidScheduleTime', 'the schedule time is not a date', 'Give a valid date.');
      // A write: retried only when CAS refused it unexecuted (throttling). After a timeout or a
      // 5xx the job may exist: the caller finds it by its name before it creates another.
      return call(
        ops.CreateDeploymentJob,
        {
          Name: name,
          JobType: jobType,
          CertIds: idList(action, 'CertIds', input.certIds),
          ResourceIds: idList(action, 'ResourceIds', input.resourceIds),
          ContactIds: idList(action, 'ContactIds', input.contactIds),
          ScheduleTime: scheduleTime,
        },
        { retryOnlyThrottled: true },
      );
    },
    async updateDeploymentJobStatus(jobId, status) {
      const action = ops.UpdateDeploymentJobStatus.action;
      if (!START_STATUSES.includes(status))
        throw notSent(action, 'InvalidStatus', `status ${String(status)}`, 'Use pending, scheduling or editing.');
      return call(
        ops.UpdateDeploymentJobStatus,
        { JobId: checkedId(action, 'JobId', jobId), Status: status },
        { retryOnlyThrottled: true },
      );
    },
    describeDeploymentJob: async (jobId, options = {}) =>
      call(
        ops.DescribeDeploymentJob,
        { JobId: checkedId(ops.DescribeDeploymentJob.action, 'JobId', jobId) },
        { priority: options.priority },
      ),
    describeDeploymentJobStatus: async (jobId, options = {}) =>
      call(
        ops.DescribeDeploymentJobStatus,
        { JobId: checkedId(ops.DescribeDeploymentJobStatus.action, 'JobId', jobId) },
        { priority: options.priority },
      ),
    listDeploymentJobPage,
    async findDeploymentJobByName(name, options = {}) {
      const filter = { jobType: 'user' as const, ...options };
      const size = filter.pageSize ?? DEFAULT_PAGE_SIZE;
      // One page at a time: a job just created is on the first page when CAS lists newest first,
      // and a find usually stops there.
      for (let page = 1; ; page++) {
        const result = await listDeploymentJobPage(filter, page);
        const matches = result.Data.filter((job) => job.Name === name).sort((a, b) => a.Id - b.Id);
        if (matches.length > 0) return matches[0];
        if (result.Data.length === 0 || page * size >= result.Total) return undefined;
      }
    },
    listWorkerResourcePage,
    listWorkerResources: async (jobId, filter = {}) =>
      allPages(
        (page) => listWorkerResourcePage(jobId, filter, page),
        (page) => page.Data,
        (page) => page.Total,
        filter.pageSize ?? DEFAULT_PAGE_SIZE,
      ),
    async rollbackWorker(jobId, workerId) {
      const action = ops.UpdateWorkerResourceStatus.action;
      return call(
        ops.UpdateWorkerResourceStatus,
        {
          JobId: checkedId(action, 'JobId', jobId),
          WorkerId: checkedId(action, 'WorkerId', workerId),
          Status: 'rollback',
        },
        { retryOnlyThrottled: true },
      );
    },
    listContactPage,
    listContacts: async (filter = {}) =>
      allPages(
        (page) => listContactPage(filter, page),
        (page) => page.ContactList,
        (page) => page.TotalCount,
        filter.pageSize ?? CONTACT_PAGE_SIZE,
      ),
  };
}
