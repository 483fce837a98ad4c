import { createHash } from 'node:crypto';
import { type CloudResource, LISTENER_PRODUCTS } from './cloud-resources';
import type { CloudProvider, Dataset, SandboxCertificate } from './dataset';
import { CAS_NOT_FOUND_MESSAGE, SandboxError } from './errors';
import { moveResource } from './resource-edits';

/**
 * Deployment jobs (docs/cas-api.md 1.7) as the simulator runs them: a job deploys certificates
 * to cloud resources, one worker per resource. Time is the simulator's clock and is read lazily:
 * `advance(now)` applies every transition due by `now` at the moment it was due, so a test with
 * a fixed clock sees exactly the same states as one that waits. A worker that succeeds moves its
 * resource to the job's certificate in the data set (ListCloudResources, GetRiskCount follow); a
 * rollback moves it back.
 *
 * Job:    editing → pending (until ScheduleTime) | scheduling → processing → success | error
 * Worker: the job's states while it waits, then processing → success | error, and after success
 *         rollback → rollback_success | rollback_error. A job in success or error never changes
 *         status again; its workers can still be rolled back.
 */

export const JOB_STATUSES = ['editing', 'pending', 'scheduling', 'processing', 'success', 'error'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const WORKER_STATUSES = [...JOB_STATUSES, 'rollback', 'rollback_success', 'rollback_error'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];
/** What UpdateDeploymentJobStatus accepts. */
export const START_STATUSES = ['pending', 'scheduling', 'editing'] as const;
export type StartStatus = (typeof START_STATUSES)[number];
export type JobType = 'user' | 'cloud';

/**
 * How a new job begins. `editing` (the API reference): it waits until UpdateDeploymentJobStatus
 * sets `pending` or `scheduling`. `immediate` (what some clients assume): it is scheduled on
 * creation, `pending` when its ScheduleTime is in the future, and runs without a status change.
 */
export type StartMode = 'editing' | 'immediate';

export interface DeploymentSettings {
  startMode: StartMode;
  /** From `scheduling` (or a due `pending`) to `processing`, in ms. */
  startDelayMs: number;
  /** How long a worker deploys, in ms, unless its resource or the worker itself says otherwise. */
  workerDurationMs: number;
  /** How long a worker's rollback takes, in ms. */
  rollbackDurationMs: number;
  /** Resource record IDs whose deployment fails (read when the worker finishes). */
  failResources: number[];
  /** Resource record IDs whose rollback fails. */
  failRollbackResources: number[];
  /** Deployment time per resource record ID, in ms (JSON keys are strings). */
  resourceDurationsMs: Record<string, number>;
  /**
   * How long CreateDeploymentJob's answer is held after the job was created, in ms: the window
   * in which a caller that dies has made a job it never heard of (what the crash tests need).
   */
  holdCreateAnswerMs: number;
}

export const DEFAULT_DEPLOYMENT_SETTINGS: Readonly<DeploymentSettings> = Object.freeze({
  startMode: 'editing',
  startDelayMs: 0,
  workerDurationMs: 1_000,
  rollbackDurationMs: 1_000,
  failResources: [],
  failRollbackResources: [],
  resourceDurationsMs: {},
  holdCreateAnswerMs: 0,
});

export interface SandboxContact {
  contactId: number;
  name: string;
  email: string;
  mobile: string;
  emailStatus: 0 | 1;
  mobileStatus: 0 | 1;
  /** Chatbot webhook URLs (sent as one JSON-array string). */
  webhooks: string[];
}

/** What a worker deploys to, as it was when the job was created (a resource removed later is still shown). */
export interface WorkerTarget {
  provider: CloudProvider;
  product: string;
  region: string;
  instanceId?: string;
  listenerId?: string;
  listenerPort?: number;
  defaultResource?: boolean;
  domain: string;
}

export interface SandboxWorker {
  id: number;
  jobId: number;
  /** The ListCloudResources record ID. */
  resourceId: number;
  /** The certificate the worker deploys. */
  certId: number;
  /** The certificate the resource served when the job was created (what a rollback restores). */
  resourceCertId?: number;
  status: WorkerStatus;
  durationMs: number;
  /** Forced to fail (control route); `failResources` is read too. */
  fail: boolean;
  rollbackFail: boolean;
  startedAt?: number;
  finishAt?: number;
  rollbackFinishAt?: number;
  createdAt: number;
  modifiedAt: number;
  target: WorkerTarget;
  /** Why it failed, for the control routes; ListWorkerResource carries no error text. */
  reason?: string;
}

export interface SandboxJob {
  id: number;
  name: string;
  jobType: JobType;
  status: JobStatus;
  certIds: number[];
  resourceIds: number[];
  contactIds: number[];
  /** Epoch ms, as CreateDeploymentJob took it. */
  scheduleTime?: number;
  /** When it last entered `pending` or `scheduling`. */
  queuedAt?: number;
  startTime?: number;
  endTime?: number;
  createdAt: number;
  modifiedAt: number;
  instanceId: string;
  /** A worker of it was rolled back. */
  rollback: boolean;
  workers: SandboxWorker[];
}

export interface JobInput {
  name: string;
  jobType: JobType;
  certIds: number[];
  resourceIds: number[];
  contactIds: number[];
  scheduleTime?: number;
}

const FINAL_JOB: readonly JobStatus[] = ['success', 'error'];
const FIRST_JOB_ID = 10_001;
const FIRST_WORKER_ID = 220_001;
const FIRST_CONTACT_ID = 519_580;

/** Invalid input: 400 with a code CAS uses for it. */
function invalid(code: string, message: string): SandboxError {
  return new SandboxError(400, code, message);
}

function notFound(): SandboxError {
  return new SandboxError(404, 'NotFound', CAS_NOT_FOUND_MESSAGE);
}

/** Whether a certificate name (maybe `*.`) covers a host name, one label under a wildcard. */
function nameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (!p.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

function certNames(cert: SandboxCertificate): string[] {
  return [cert.commonName, ...cert.sans.split(',')].filter((n) => n !== '');
}

/** Two contacts every account starts with, fixed by the data set's seed. */
function defaultContacts(seed: number): SandboxContact[] {
  const digits = createHash('sha256').update(`contacts:${seed}`).digest().readUInt32LE(0) % 10_000;
  const mobile = `139****${String(digits).padStart(4, '0')}`;
  return [
    {
      contactId: FIRST_CONTACT_ID,
      name: 'cert-admins',
      email: 'cert-admins@example.com',
      mobile,
      emailStatus: 1,
      mobileStatus: 1,
      webhooks: [],
    },
    {
      contactId: FIRST_CONTACT_ID + 1,
      name: 'platform-oncall',
      email: 'oncall@example.com',
      mobile: '',
      emailStatus: 1,
      mobileStatus: 0,
      webhooks: ['https://oapi.dingtalk.com/robot/send?access_token=sandbox'],
    },
  ];
}

function targetOf(resource: CloudResource): WorkerTarget {
  const target: WorkerTarget = {
    provider: resource.provider,
    product: resource.product,
    region: resource.region,
    domain: resource.domain,
  };
  if (resource.instanceId !== undefined) target.instanceId = resource.instanceId;
  if (resource.listenerId !== undefined) target.listenerId = resource.listenerId;
  if (resource.listenerPort !== undefined) target.listenerPort = resource.listenerPort;
  if (resource.defaultResource !== undefined) target.defaultResource = resource.defaultResource;
  return target;
}

/** The deployment jobs, workers and contacts of one account's data set. */
export class DeploymentBook {
  settings: DeploymentSettings = cloneSettings(DEFAULT_DEPLOYMENT_SETTINGS);
  jobs: SandboxJob[] = [];
  contacts: SandboxContact[];
  private nextJobId = FIRST_JOB_ID;
  private nextWorkerId = FIRST_WORKER_ID;
  private nextContactId: number;

  constructor(private readonly dataset: Dataset) {
    this.contacts = defaultContacts(dataset.seed);
    this.nextContactId = FIRST_CONTACT_ID + this.contacts.length;
  }

  /** Forgets every job and restores the default settings and contacts. */
  reset(): void {
    this.jobs = [];
    this.settings = cloneSettings(DEFAULT_DEPLOYMENT_SETTINGS);
    this.contacts = defaultContacts(this.dataset.seed);
    this.nextContactId = FIRST_CONTACT_ID + this.contacts.length;
  }

  job(jobId: number): SandboxJob {
    const job = this.jobs.find((j) => j.id === jobId);
    if (!job) throw notFound();
    return job;
  }

  worker(workerId: number): SandboxWorker {
    for (const job of this.jobs) {
      const worker = job.workers.find((w) => w.id === workerId);
      if (worker) return worker;
    }
    throw notFound();
  }

  create(input: JobInput, now: number): SandboxJob {
    this.advance(now);
    const certs = input.certIds.map((id) => {
      const cert = this.dataset.certificates.find((c) => c.certificateId === id);
      if (!cert)
        throw invalid('InvalidParameter', `The specified parameter CertIds is not valid: no certificate ${id}.`);
      if (cert.status === 'EXPIRED' || cert.status === 'REVOKED')
        throw invalid(
          'InvalidParameter',
          `The specified parameter CertIds is not valid: certificate ${id} is ${cert.status.toLowerCase()} and cannot be deployed.`,
        );
      return cert;
    });
    const located = input.resourceIds.map((id) => {
      for (const cert of this.dataset.certificates) {
        const resource = cert.resources.find((r) => r.id === id);
        if (resource) return { resource, cert };
      }
      throw invalid('InvalidParameter', `The specified parameter ResourceIds is not valid: no resource ${id}.`);
    });
    for (const { resource } of located) {
      const multiCloud = resource.provider !== 'aliyun';
      if ((input.jobType === 'user') === multiCloud)
        throw invalid(
          'InvalidParameter',
          `The specified parameter ResourceIds is not valid: resource ${resource.id} (${resource.product}) cannot be deployed by a ${input.jobType} job.`,
        );
    }
    for (const id of input.contactIds)
      if (!this.contacts.some((c) => c.contactId === id))
        throw invalid('InvalidParameter', `The specified parameter ContactIds is not valid: no contact ${id}.`);

    const id = this.nextJobId++;
    const job: SandboxJob = {
      id,
      name: input.name,
      jobType: input.jobType,
      status: 'editing',
      certIds: [...input.certIds],
      resourceIds: located.map(({ resource }) => resource.id),
      contactIds: [...input.contactIds],
      scheduleTime: input.scheduleTime,
      createdAt: now,
      modifiedAt: now,
      instanceId: createHash('sha256').update(`job:${this.dataset.seed}:${id}`).digest('hex').slice(0, 16),
      rollback: false,
      workers: located.map(({ resource, cert: serving }) => {
        const cert =
          certs.find((c) => resource.domain !== '' && certNames(c).some((n) => nameCovers(n, resource.domain))) ??
          (certs[0] as SandboxCertificate);
        return {
          id: this.nextWorkerId++,
          jobId: id,
          resourceId: resource.id,
          certId: cert.certificateId,
          resourceCertId: serving.certificateId,
          status: 'editing',
          durationMs: this.settings.resourceDurationsMs[String(resource.id)] ?? this.settings.workerDurationMs,
          fail: false,
          rollbackFail: false,
          createdAt: now,
          modifiedAt: now,
          target: targetOf(resource),
        };
      }),
    };
    this.jobs.push(job);
    if (this.settings.startMode === 'immediate')
      this.queue(job, input.scheduleTime !== undefined && input.scheduleTime > now ? 'pending' : 'scheduling', now);
    this.advance(now);
    return job;
  }

  /** UpdateDeploymentJobStatus. */
  setStatus(jobId: number, status: StartStatus, now: number): SandboxJob {
    this.advance(now);
    const job = this.job(jobId);
    if (FINAL_JOB.includes(job.status))
      throw invalid('InvalidStatus', `Deployment job ${jobId} is ${job.status}: a finished job cannot change status.`);
    if (job.status === 'processing')
      throw invalid('InvalidStatus', `Deployment job ${jobId} is processing: it can no longer change status.`);
    if (status === 'editing') {
      job.status = 'editing';
      job.queuedAt = undefined;
      job.modifiedAt = now;
      for (const worker of job.workers) this.setWorker(worker, 'editing', now);
    } else {
      this.queue(job, status, now);
    }
    this.advance(now);
    return job;
  }

  /** UpdateWorkerResourceStatus with Status=rollback: only a worker that deployed can be rolled back. */
  rollbackWorker(jobId: number, workerId: number, now: number): SandboxWorker {
    this.advance(now);
    const job = this.job(jobId);
    const worker = job.workers.find((w) => w.id === workerId);
    if (!worker) throw notFound();
    if (worker.status !== 'success')
      throw invalid(
        'InvalidStatus',
        `Worker ${workerId} is ${worker.status}: only a worker in success can be rolled back.`,
      );
    this.setWorker(worker, 'rollback', now);
    worker.rollbackFinishAt = now + this.settings.rollbackDurationMs;
    job.rollback = true;
    job.modifiedAt = now;
    this.advance(now);
    return worker;
  }

  /** A worker's time (`durationMs`, from its start) and forced outcomes, from the control routes. */
  adjustWorker(
    workerId: number,
    changes: { durationMs?: number; fail?: boolean; rollbackFail?: boolean; rollbackDurationMs?: number },
    now: number,
  ): SandboxWorker {
    this.advance(now);
    const worker = this.worker(workerId);
    if (changes.fail !== undefined) worker.fail = changes.fail;
    if (changes.rollbackFail !== undefined) worker.rollbackFail = changes.rollbackFail;
    if (changes.durationMs !== undefined) {
      worker.durationMs = changes.durationMs;
      if (worker.status === 'processing' && worker.startedAt !== undefined)
        worker.finishAt = worker.startedAt + changes.durationMs;
    }
    if (changes.rollbackDurationMs !== undefined && worker.status === 'rollback')
      worker.rollbackFinishAt = worker.modifiedAt + changes.rollbackDurationMs;
    this.advance(now);
    return worker;
  }

  addContact(input: Omit<SandboxContact, 'contactId'> & { contactId?: number }): SandboxContact {
    const contactId = input.contactId ?? this.nextContactId;
    if (this.contacts.some((c) => c.contactId === contactId))
      throw invalid('InvalidParameter', `contact ${contactId} exists already`);
    this.nextContactId = Math.max(this.nextContactId, contactId + 1);
    const contact = { ...input, contactId, webhooks: [...input.webhooks] };
    this.contacts.push(contact);
    return contact;
  }

  removeContact(contactId: number): SandboxContact {
    const index = this.contacts.findIndex((c) => c.contactId === contactId);
    if (index < 0) throw notFound();
    return this.contacts.splice(index, 1)[0] as SandboxContact;
  }

  /** Applies every transition due by `now`, each at the time it was due. */
  advance(now: number): void {
    for (const job of this.jobs) {
      if ((job.status === 'pending' || job.status === 'scheduling') && job.queuedAt !== undefined) {
        const due =
          job.status === 'pending' && job.scheduleTime !== undefined
            ? Math.max(job.scheduleTime, job.queuedAt + this.settings.startDelayMs)
            : job.queuedAt + this.settings.startDelayMs;
        if (now >= due) {
          job.status = 'processing';
          job.startTime = due;
          job.modifiedAt = due;
          for (const worker of job.workers) {
            this.setWorker(worker, 'processing', due);
            worker.startedAt = due;
            worker.finishAt = due + worker.durationMs;
          }
        }
      }
      if (job.status === 'processing') {
        const due = job.workers
          .filter((w) => w.status === 'processing' && (w.finishAt ?? Infinity) <= now)
          .sort((a, b) => (a.finishAt ?? 0) - (b.finishAt ?? 0) || a.id - b.id);
        for (const worker of due) this.finish(worker);
        if (job.workers.every((w) => w.status !== 'processing')) {
          const end = Math.max(...job.workers.map((w) => w.finishAt ?? job.startTime ?? now));
          job.status = job.workers.some((w) => w.status === 'error') ? 'error' : 'success';
          job.endTime = end;
          job.modifiedAt = end;
        }
      }
      for (const worker of job.workers)
        if (worker.status === 'rollback' && (worker.rollbackFinishAt ?? Infinity) <= now) this.finishRollback(worker);
    }
  }

  private queue(job: SandboxJob, status: 'pending' | 'scheduling', now: number): void {
    job.status = status;
    job.queuedAt = now;
    job.modifiedAt = now;
    for (const worker of job.workers) this.setWorker(worker, status, now);
  }

  private setWorker(worker: SandboxWorker, status: WorkerStatus, at: number): void {
    worker.status = status;
    worker.modifiedAt = at;
  }

  private finish(worker: SandboxWorker): void {
    const at = worker.finishAt as number;
    worker.modifiedAt = at;
    if (worker.fail || this.settings.failResources.includes(worker.resourceId)) {
      worker.status = 'error';
      worker.reason = 'failure injected for this resource';
      return;
    }
    const moved = this.move(worker.resourceId, worker.certId, at);
    worker.status = moved === true ? 'success' : 'error';
    if (moved !== true) worker.reason = moved;
  }

  private finishRollback(worker: SandboxWorker): void {
    const at = worker.rollbackFinishAt as number;
    worker.modifiedAt = at;
    if (worker.rollbackFail || this.settings.failRollbackResources.includes(worker.resourceId)) {
      worker.status = 'rollback_error';
      worker.reason = 'rollback failure injected for this resource';
      return;
    }
    const moved =
      worker.resourceCertId === undefined
        ? 'the resource served no certificate before'
        : this.move(worker.resourceId, worker.resourceCertId, at);
    worker.status = moved === true ? 'rollback_success' : 'rollback_error';
    if (moved !== true) worker.reason = moved;
  }

  /** Moves a resource to a certificate; true, or why it could not. */
  private move(resourceId: number, certificateId: number, at: number): true | string {
    try {
      moveResource(this.dataset, resourceId, { certificateId }, { now: at });
      return true;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}

function cloneSettings(settings: Readonly<DeploymentSettings>): DeploymentSettings {
  return {
    ...settings,
    failResources: [...settings.failResources],
    failRollbackResources: [...settings.failRollbackResources],
    resourceDurationsMs: { ...settings.resourceDurationsMs },
  };
}

/** Whether a product's rows carry an instance, listener and port (load balancers and GA). */
export function hasListener(target: WorkerTarget): boolean {
  return target.provider === 'aliyun' && LISTENER_PRODUCTS.includes(target.product);
}

// The book belongs to the data set: replacing an account's data set starts with no jobs.
const books = new WeakMap<Dataset, DeploymentBook>();

/** The deployment jobs and contacts of a data set (made on first use). */
export function deploymentsOf(dataset: Dataset): DeploymentBook {
  let book = books.get(dataset);
  if (!book) {
    book = new DeploymentBook(dataset);
    books.set(dataset, book);
  }
  return book;
}

/** Applies the transitions due by `now` to a data set's jobs, if it has any (before every answer). */
export function advanceDeployments(dataset: Dataset, now: number): void {
  books.get(dataset)?.advance(now);
}
